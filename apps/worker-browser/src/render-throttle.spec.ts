import { describe, expect, it } from 'vitest';
import { throttleDraw, type ThrottleClock } from './render-throttle.ts';

/** A clock that moves only when told, with the timers it was given. */
function fakeClock() {
  let t = 1000;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  const clock: ThrottleClock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      timers.push({ at: t + ms, fn, id: ++ids });
      return ids;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((x) => x.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    t += ms;
    for (const due of timers.filter((x) => x.at <= t)) {
      timers.splice(timers.indexOf(due), 1);
      due.fn();
    }
  };
  return { clock, advance, pending: () => timers.length };
}

describe('throttleDraw', () => {
  it('draws the first change at once and a burst once, with its last state, at the interval end', () => {
    const { clock, advance } = fakeClock();
    const drawn: string[] = [];
    const view = throttleDraw((s: string) => drawn.push(s), 250, clock);
    view.update('waiting');
    expect(drawn).toEqual(['waiting']);
    for (const s of ['training', 'waiting', 'training', 'waiting']) {
      advance(20);
      view.update(s);
    }
    expect(drawn).toEqual(['waiting']);
    advance(170);
    expect(drawn).toEqual(['waiting', 'waiting']);
    // Quiet for longer than the interval: the next change shows at once again.
    advance(400);
    view.update('training');
    expect(drawn).toEqual(['waiting', 'waiting', 'training']);
  });

  it('draws an urgent state at once and drops the older one waiting for its turn', () => {
    const { clock, advance, pending } = fakeClock();
    const drawn: string[] = [];
    const view = throttleDraw((s: string) => drawn.push(s), 250, clock);
    view.update('waiting');
    advance(10);
    view.update('training');
    expect(pending()).toBe(1);
    view.now('error');
    expect(drawn).toEqual(['waiting', 'error']);
    expect(pending()).toBe(0);
    advance(1000);
    expect(drawn).toEqual(['waiting', 'error']);
  });
});
