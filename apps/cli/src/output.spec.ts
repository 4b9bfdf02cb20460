import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOutput, WORKERS_EVENT_EVERY_MS } from './output.ts';

afterEach(() => vi.restoreAllMocks());

describe('the CLI output in JSON lines', () => {
  it('samples the per-round workers table: once a second, and whenever who is there changes', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (lines.push(String(s)), true));
    let t = 0;
    const out = createOutput(true, () => t);
    const workers = (...ids: string[]) => ({ type: 'workers', step: t, workers: ids.map((id) => ({ id })) });
    out.event(workers('a', 'b'));
    for (let k = 0; k < 9; k++) {
      t += 10;
      out.event(workers('a', 'b')); // rounds of 10 ms: not printed
      out.event({ type: 'round', step: k }); // every other event is
    }
    t += 10;
    out.event(workers('a')); // b left: printed at once
    t += WORKERS_EVENT_EVERY_MS;
    out.event(workers('a')); // a second on: printed again
    const printed = lines.map((l) => JSON.parse(l) as { type: string; workers?: unknown[] });
    expect(printed.filter((e) => e.type === 'round')).toHaveLength(9);
    expect(printed.filter((e) => e.type === 'workers').map((e) => e.workers!.length)).toEqual([2, 1, 1]);
  });

  it('stamps every line with when it happened', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (lines.push(String(s)), true));
    createOutput(true, () => Date.UTC(2026, 10, 27, 12, 0, 0)).event({ type: 'round', step: 1 });
    expect(JSON.parse(lines[0]!)).toEqual({ type: 'round', step: 1, time: '2026-11-27T12:00:00.000Z' });
  });
});
