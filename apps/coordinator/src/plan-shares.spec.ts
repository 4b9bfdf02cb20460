import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planShares } from './plan-shares.ts';

const idle = (speed: number, latencyMs = 0) => ({ speed, latencyMs, busy: false });

describe('planShares', () => {
  it('splits in proportion to speed when latencies are equal', () => {
    expect(planShares(400, [idle(3000, 5), idle(1000, 5)])).toEqual([300, 100]);
    expect(planShares(90, [idle(1), idle(1), idle(1)])).toEqual([30, 30, 30]);
  });

  it('gives a worker with a longer latency less, so both should finish together', () => {
    // Equal speed 1000/s; B needs 100 ms more per task. T = (1000 + 100) / 2000 s = 550 ms.
    const [a, b] = planShares(1000, [idle(1000, 0), idle(1000, 100)]);
    expect(a).toBe(550);
    expect(b).toBe(450);
  });

  it('leaves out a worker whose latency alone exceeds the round; a probe gives an idle one a sample', () => {
    expect(planShares(100, [idle(1000), { speed: 1000, latencyMs: 5000, busy: true }])).toEqual([100, 0]);
    expect(planShares(100, [idle(1000), idle(1000, 5000)])).toEqual([100, 0]);
    expect(planShares(100, [idle(1000), idle(1000, 5000)], { probe: true })).toEqual([99, 1]);
    expect(planShares(100, [idle(1000), { speed: 1000, latencyMs: 5000, busy: true }], { probe: true })).toEqual([100, 0]);
  });

  it('always hands out exactly the batch, to known workers, without negative sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.record({ speed: fc.double({ min: 1e-3, max: 1e6, noNaN: true }), latencyMs: fc.double({ min: 0, max: 1e4, noNaN: true }), busy: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (total, cands, probe) => {
          const sizes = planShares(total, cands, { probe });
          expect(sizes).toHaveLength(cands.length);
          expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
          expect(sizes.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
        },
      ),
    );
  });

  it('never throws for one worker\'s numbers: a speed that is no positive number gets nothing, the others share the batch', () => {
    expect(planShares(10, [idle(0), idle(1000)])).toEqual([0, 10]);
    expect(planShares(10, [idle(Number.NaN), idle(1000)], { probe: true })).toEqual([0, 10]);
    expect(planShares(10, [idle(-5), idle(1000, Number.NaN), idle(1000)])).toEqual([0, 0, 10]);
    // Nobody usable: equal shares rather than a round that cannot start.
    expect(planShares(10, [idle(0), idle(Number.NaN)])).toEqual([5, 5]);
    expect(planShares(10, [idle(10, -1)])).toEqual([10]);
    expect(planShares(10, [])).toEqual([]);
  });

  it('plans extreme but finite speeds and latencies without overflowing (1e308 announced, a denormal)', () => {
    const extremes = [
      [idle(1e308), idle(1e308)],
      [idle(1e308), idle(5e4)],
      [{ speed: 1e308, latencyMs: 5, busy: true }, idle(5e4)],
      [{ speed: 1e308, latencyMs: 5, busy: true }, { speed: 5e4, latencyMs: 3, busy: true }],
      [idle(5e-324), idle(5e4)],
      [idle(Number.POSITIVE_INFINITY), idle(5e4, Number.POSITIVE_INFINITY)],
    ];
    for (const cands of extremes) {
      for (const probe of [false, true]) {
        const sizes = planShares(64, cands, { probe });
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(64);
        expect(sizes.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
      }
    }
    // The denormal worker gets at most a probe's sample, never the batch.
    expect(planShares(64, [idle(5e-324), idle(5e4)])[0]).toBeLessThanOrEqual(1);
  });
});
