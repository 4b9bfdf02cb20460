import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochOrder, gatherRows, partitionBySizes, splitByWeights } from './order.ts';

const isPermutation = (p: Uint32Array, n: number) => p.length === n && [...p].sort((a, b) => a - b).every((v, i) => v === i);

describe('epochOrder', () => {
  it('is a permutation of 0..n-1 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer(), fc.nat(1000), (n, seed, epoch) => {
        expect(isPermutation(epochOrder(n, seed, epoch), n)).toBe(true);
      }),
    );
  });

  it('is fixed by (seed, epoch) and changes with either', () => {
    const a = [...epochOrder(1000, 7, 3)];
    expect([...epochOrder(1000, 7, 3)]).toEqual(a);
    expect([...epochOrder(1000, 7, 4)]).not.toEqual(a);
    expect([...epochOrder(1000, 8, 3)]).not.toEqual(a);
  });

  it('pins the order, so a change of algorithm is a visible decision', () => {
    expect([...epochOrder(10, 1, 0)]).toEqual([1, 6, 8, 5, 3, 7, 4, 9, 2, 0]);
  });

  it('rejects bad n and epoch', () => {
    expect(() => epochOrder(-1, 0, 0)).toThrow(RangeError);
    expect(() => epochOrder(2.5, 0, 0)).toThrow(RangeError);
    expect(() => epochOrder(3, 0, -1)).toThrow(/epoch/);
  });
});

describe('splitByWeights', () => {
  it('splits proportionally by largest remainder', () => {
    expect(splitByWeights(10, [1, 1, 1])).toEqual([4, 3, 3]); // tie on remainders: lowest index first
    expect(splitByWeights(100, [3, 1])).toEqual([75, 25]);
    expect(splitByWeights(7, [0.5, 0.3, 0.2])).toEqual([4, 2, 1]); // quotas 3.5, 2.1, 1.4
    expect(splitByWeights(0, [1, 2])).toEqual([0, 0]);
  });

  it('gives zero-weight workers nothing and every positive-weight worker at least one', () => {
    expect(splitByWeights(10, [0, 5, 0])).toEqual([0, 10, 0]);
    expect(splitByWeights(3, [1000, 1, 1])).toEqual([1, 1, 1]);
    expect(splitByWeights(4, [1000, 1, 0, 1])).toEqual([2, 1, 0, 1]);
    expect(splitByWeights(2, [1000, 1, 1])).toEqual([2, 0, 0]); // total < workers: cannot give everyone one
  });

  it('rejects bad inputs', () => {
    expect(() => splitByWeights(5, [])).toThrow(/no positive weight/);
    expect(() => splitByWeights(5, [0, 0])).toThrow(/no positive weight/);
    expect(() => splitByWeights(5, [1, -1])).toThrow(/weight 1/);
    expect(() => splitByWeights(5, [1, NaN])).toThrow(/weight 1/);
    expect(() => splitByWeights(5, [1, Infinity])).toThrow(/weight 1/);
    expect(() => splitByWeights(2.5, [1])).toThrow(/total/);
  });

  const weights = fc.array(
    fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 100 })),
    { minLength: 1, maxLength: 16 },
  ).filter((w) => w.some((x) => x > 0));

  it('sizes are non-negative integers summing exactly to total (property)', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), weights, (total, w) => {
        const s = splitByWeights(total, w);
        expect(s.length).toBe(w.length);
        expect(s.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
        expect(s.reduce((a, b) => a + b, 0)).toBe(total);
      }),
      { numRuns: 2000 },
    );
  });

  it('zero weight → zero; positive weight → at least 1 whenever total ≥ positive count (property)', () => {
    fc.assert(
      fc.property(fc.nat(200), weights, (total, w) => {
        const s = splitByWeights(total, w);
        const positive = w.filter((x) => x > 0).length;
        w.forEach((x, i) => {
          if (x === 0) expect(s[i]).toBe(0);
          else if (total >= positive) expect(s[i]).toBeGreaterThanOrEqual(1);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('each size is within 1 of its exact quota when every quota is at least 1 (property)', () => {
    fc.assert(
      fc.property(fc.nat(100_000), weights, (total, w) => {
        const sum = w.reduce((a, b) => a + b, 0);
        const quotas = w.map((x) => (total * x) / sum);
        fc.pre(quotas.every((q, i) => w[i] === 0 || q >= 1));
        splitByWeights(total, w).forEach((s, i) => expect(Math.abs(s - quotas[i]!)).toBeLessThan(1 + 1e-9));
      }),
      { numRuns: 1000 },
    );
  });

  it('is deterministic and does not depend on weight scale', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 8 }).filter((w) => w.some((x) => x > 0)), (total, w) => {
        expect(splitByWeights(total, w)).toEqual(splitByWeights(total, w.map((x) => x * 4)));
      }),
    );
  });
});

describe('partitionBySizes', () => {
  it('cuts consecutive shards and checks the sizes', () => {
    const idx = Uint32Array.from([5, 6, 7, 8, 9]);
    expect(partitionBySizes(idx, [2, 0, 3]).map((a) => [...a])).toEqual([[5, 6], [], [7, 8, 9]]);
    expect(() => partitionBySizes(idx, [2, 2])).toThrow(/sum to 4, but there are 5/);
  });

  it('round-trips with splitByWeights: shards concatenate back to the batch (property)', () => {
    fc.assert(
      fc.property(fc.uint32Array({ maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }), (idx, w) => {
        const parts = partitionBySizes(idx, splitByWeights(idx.length, w));
        expect(parts.flatMap((p) => [...p])).toEqual([...idx]);
      }),
    );
  });
});

describe('gatherRows', () => {
  const src = Float32Array.from([0, 1, 10, 11, 20, 21]); // 3 rows of 2

  it('copies rows in the order given, repeats allowed', () => {
    expect([...gatherRows(src, 2, [2, 0, 2])]).toEqual([20, 21, 0, 1, 20, 21]);
    expect([...gatherRows(src, 2, Uint32Array.from([]))]).toEqual([]);
  });

  it('returns a copy, not a view', () => {
    const out = gatherRows(src, 2, [0]);
    out[0] = 99;
    expect(src[0]).toBe(0);
  });

  it('rejects out-of-range indices and inconsistent row sizes', () => {
    expect(() => gatherRows(src, 2, [3])).toThrow(/index 3 at position 0 is outside \[0, 3\)/);
    expect(() => gatherRows(src, 2, [-1])).toThrow(/outside/);
    expect(() => gatherRows(src, 2, [0.5])).toThrow(/outside/);
    expect(() => gatherRows(src, 4, [0])).toThrow(/not a multiple/);
    expect(() => gatherRows(src, 0, [0])).toThrow(/rowSize/);
  });

  it('matches a naive per-value gather (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (row, rows, raw) => {
        const s = Float32Array.from({ length: row * rows }, (_, i) => i);
        const idx = raw.map((r) => r % rows);
        const want = idx.flatMap((r) => Array.from({ length: row }, (_, k) => r * row + k));
        expect([...gatherRows(s, row, idx)]).toEqual(want);
      }),
    );
  });
});
