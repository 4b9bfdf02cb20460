import { describe, expect, it } from 'vitest';
import { WarmClock, warmFor } from './warm-clock.ts';

describe('WarmClock', () => {
  it('times the given number of rounds after the warm-up seconds, from the end of the last warm-up round', () => {
    const clock = new WarmClock(3, 1);
    // Rounds end every 300 ms from t = 1000; the first ends the warm-up's start.
    const ends = [1000, 1300, 1600, 1900, 2200, 2500, 2800, 3100];
    const timed: number[] = [];
    ends.forEach((t, i) => {
      clock.roundEnded(i + 1, t);
      if (clock.times(i + 1)) timed.push(i + 1);
    });
    // Step 5 ends at 2200, the first end ≥ 1 s after 1000: steps 6, 7 and 8 are timed.
    expect(timed).toEqual([6, 7, 8]);
    expect(clock.done).toBe(true);
    expect(clock.seconds).toBeCloseTo(0.9, 9);
  });

  it('is not done, and times nothing, while warming up', () => {
    const clock = new WarmClock(2, 10);
    for (let s = 1; s <= 5; s++) clock.roundEnded(s, s * 100);
    expect(clock.done).toBe(false);
    expect([1, 2, 3, 4, 5, 6].some((s) => clock.times(s))).toBe(false);
  });

  it('stops counting after the timed rounds, so later rounds do not stretch the measured seconds', () => {
    const clock = new WarmClock(1, 0);
    clock.roundEnded(1, 0);
    clock.roundEnded(2, 50);
    clock.roundEnded(3, 400);
    expect(clock.times(2)).toBe(true);
    expect(clock.times(3)).toBe(false);
    expect(clock.seconds).toBeCloseTo(0.05, 9);
  });
});

describe('warmFor', () => {
  it('steps until the seconds have passed, at least once, and says how many steps it ran', async () => {
    const seen: number[] = [];
    const n = await warmFor(0, (k) => seen.push(k));
    expect(n).toBe(1);
    expect(seen).toEqual([0]);
    const t0 = performance.now();
    const m = await warmFor(0.05, () => new Promise((r) => setTimeout(r, 5)));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(50);
    expect(m).toBeGreaterThan(1);
  });
});
