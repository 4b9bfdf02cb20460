import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TensorData } from '@shardgrad/codec';
import { weightedMean } from '../aggregate.ts';
import { aggregateBlocks, getAggregator, listAggregators } from './registry.ts';
import type { AggregatorOptions } from './types.ts';

const t = (...v: number[]): TensorData => ({ shape: [v.length], dtype: 'float32', data: Float32Array.from(v) });
const part = (count: number, ...v: number[]) => ({ grads: [t(...v)], count });
const f0: AggregatorOptions = { f: 0 };
const f1: AggregatorOptions = { f: 1 };

describe('aggregators', () => {
  it('mean is the shard-weighted mean, bit for bit', () => {
    const parts = [part(3, 1, 2), part(1, 5, -2)];
    expect(getAggregator('mean').aggregate(parts, f0)).toEqual(weightedMean(parts));
    expect([...getAggregator('mean').aggregate(parts, f0)[0]!]).toEqual([2, 1]);
  });

  it('mean writes into the buffers it is given, for 1, 2 and 3 parts, with the same bits', () => {
    for (const parts of [[part(2, 1, 2)], [part(3, 1, 2), part(1, 5, -2)], [part(3, 1, 2), part(1, 5, -2), part(2, 0.1, 7)]]) {
      const buffer = new Float32Array(2).fill(NaN);
      const [written] = weightedMean(parts, { buffers: [buffer] });
      expect(written).toBe(buffer);
      expect([...buffer]).toEqual([...weightedMean(parts)[0]!]);
    }
    // Through the blocks too: state after the gradients, each into its own buffer.
    const out = [new Float32Array(2), new Float32Array(1)];
    const withState = [{ grads: [t(1, 2), t(4)], count: 1 }, { grads: [t(3, 4), t(6)], count: 1 }];
    const update = aggregateBlocks(getAggregator('mean'), withState, 1, f0, { buffers: out });
    expect(update[0]).toBe(out[0]);
    expect([...out[0]!, ...out[1]!]).toEqual([2, 3, 5]);
    expect(() => weightedMean([part(1, 1, 2)], { buffers: [new Float32Array(3)] })).toThrow(/tensor 0 has 2 values, its buffer 3/);
  });

  it('median is coordinate-wise and weighted by shard size', () => {
    const parts = [part(1, 0, 10), part(1, 1, 20), part(1, 100, -5)];
    expect([...getAggregator('median').aggregate(parts, f1)[0]!]).toEqual([1, 10]);
    // Small shards weigh less: two tiny shards cannot outvote three full ones.
    const light = [part(10, 5), part(10, 6), part(10, 7), part(1, -100), part(1, -100)];
    expect(getAggregator('median').aggregate(light, f1)[0]![0]).toBe(6);
    const tilted = [part(10, 5), part(10, 6), part(10, 7), part(2, 8), part(2, 9)];
    expect(getAggregator('median').aggregate(tilted, f0)[0]![0]).toBe(6);
    // A shard far bigger than the rest (a worker claiming to be fast) weighs no more than a typical one.
    const heavy = [part(50, 1000), part(10, 0), part(10, 1)];
    expect(getAggregator('median').aggregate(heavy, f1)[0]![0]).toBe(1);
    // Even count, equal weights: the midpoint, as the unweighted median.
    expect(getAggregator('median').aggregate([part(1, 1), part(1, 3)], f0)[0]![0]).toBe(2);
  });

  it('trimmed mean cuts β of the weight from each end', () => {
    const parts = [part(1, -1000), part(1, 1), part(1, 2), part(1, 3), part(1, 1000)];
    expect(getAggregator('trimmed-mean').aggregate(parts, { f: 1, beta: 0.2 })[0]![0]).toBeCloseTo(2, 6);
    // β = 0 is the weighted mean (shard sizes, each capped at the median size: 3, 1, 3).
    const plain = getAggregator('trimmed-mean').aggregate([part(3, 1), part(1, 5), part(3, 3)], { f: 0, beta: 0 })[0]![0]!;
    expect(plain).toBeCloseTo(17 / 7, 6);
    // A part straddling the cut counts with the weight left inside: weights .4/.2/.4, β = .25.
    const straddle = getAggregator('trimmed-mean').aggregate([part(2, 0), part(1, 4), part(2, 8)], { f: 0, beta: 0.25 })[0]![0]!;
    expect(straddle).toBeCloseTo((0.15 * 0 + 0.2 * 4 + 0.15 * 8) / 0.5, 6);
  });

  it('centered clip ignores a far outlier and keeps honest agreement', () => {
    const honest = [part(1, 1, 1), part(1, 1.1, 0.9), part(1, 0.9, 1.1), part(1, 1, 1.05)];
    const out = getAggregator('centered-clip').aggregate([...honest, part(1, -1e4, 1e4)], f1)[0]!;
    expect(Math.abs(out[0]! - 1)).toBeLessThan(0.2);
    expect(Math.abs(out[1]! - 1)).toBeLessThan(0.2);
  });

  it('norm filter drops a scaled gradient and averages the rest exactly', () => {
    const parts = [part(1, 1, 0), part(1, 0, 1), part(2, 1, 1), part(1, -10, -10)];
    const out = getAggregator('norm-filter').aggregate(parts, f1)[0]!;
    expect([...out]).toEqual([...weightedMean(parts.slice(0, 3))[0]!]);
  });

  it('states each precondition on n and f, and says why it fails', () => {
    expect(getAggregator('mean').precondition(4, f0)).toBeUndefined();
    expect(getAggregator('mean').precondition(4, f1)).toMatch(/tolerates no Byzantine/);
    expect(getAggregator('median').precondition(2, f1)).toMatch(/n ≥ 2f \+ 1/);
    expect(getAggregator('median').precondition(3, f1)).toBeUndefined();
    expect(getAggregator('trimmed-mean').precondition(2, f1)).toMatch(/n > 2f/);
    expect(getAggregator('trimmed-mean').precondition(4, { f: 1, beta: 0.2 })).toMatch(/fewer than f/);
    expect(getAggregator('trimmed-mean').precondition(5, { f: 1, beta: 0.2 })).toBeUndefined();
    expect(getAggregator('trimmed-mean').precondition(5, { f: 0, beta: 0.6 })).toMatch(/β must be/);
    expect(getAggregator('centered-clip').precondition(4, { f: 2 })).toMatch(/2f \+ 1/);
    expect(getAggregator('norm-filter').precondition(3, f1)).toBeUndefined();
    expect(() => getAggregator('krum')).toThrow(/unknown aggregator "krum"/);
  });

  it('runs the state block apart from the gradients, with the same rule', () => {
    const p = (c: number, g: number, s: number) => ({ grads: [t(g), t(s)], count: c });
    const parts = [p(1, 1, 100), p(1, 2, 101), p(1, 1e6, -1e6)];
    const [g, s] = aggregateBlocks(getAggregator('median'), parts, 1, f1);
    expect(g![0]).toBe(2);
    expect(s![0]).toBe(100);
  });

  it('every robust rule stays within the range of the honest values when f bad parts are anywhere (property)', () => {
    const rules = listAggregators().filter((r) => r.name !== 'mean');
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.float({ min: -1e6, max: 1e6, noNaN: true }),
        (honest, bad) => {
          const parts = [...honest.map((v) => part(1, v)), part(1, bad)];
          const lo = Math.min(...honest.map((v) => Math.fround(v)));
          const hi = Math.max(...honest.map((v) => Math.fround(v)));
          for (const r of rules) {
            const o = { f: 1, beta: 0.2 };
            if (r.precondition(parts.length, o)) continue;
            const v = r.aggregate(parts, o)[0]![0]!;
            // Centered clip may move by at most τ·w toward the outlier beyond the honest hull; the norm
            // filter keeps a liar whose norm is within 2× the median norm, so it moves by at most that / n.
            const spread = Math.max(Math.abs(lo), Math.abs(hi));
            const slack = r.name === 'centered-clip' ? hi - lo + 2e-3 : r.name === 'norm-filter' ? (2 * spread) / parts.length + 2e-3 : 2e-3;
            expect(v, r.name).toBeGreaterThanOrEqual(lo - slack);
            expect(v, r.name).toBeLessThanOrEqual(hi + slack);
          }
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('refuses parts with different layouts or non-positive weights', () => {
    expect(() => getAggregator('median').aggregate([part(1, 1, 2), part(1, 1)], f0)).toThrow(/values, expected/);
    expect(() => getAggregator('median').aggregate([part(0, 1)], f0)).toThrow(/weight 0/);
  });
});
