import { describe, expect, it } from 'vitest';
import { MAX_SUM_OF_SQUARES, GradientNormGuard, MIN_NORM_LIMIT, MIN_OBSERVATIONS, NORM_MULTIPLE } from './gradient-norm-guard.ts';

/** Σg² per tensor of a gradient whose norm is `norm`, spread over two tensors. */
const squares = (norm: number) => [(norm * norm) / 2, (norm * norm) / 2];

function warmed(norms: number[]) {
  const g = new GradientNormGuard();
  for (const n of norms) {
    const v = g.check(squares(n));
    expect(v.ok).toBe(true);
    if (v.ok) g.accepted(v.norm);
  }
  return g;
}

describe('GradientNormGuard', () => {
  it('refuses, from the very first result, a gradient whose squares float32 state cannot hold', () => {
    const g = new GradientNormGuard();
    // Every value 3e38 (finite, so through the finiteness check): Σg² is far past float32's range.
    const v = g.check([3e38 * 3e38 * 100, 1]);
    expect(v).toMatchObject({ ok: false, reason: 'out-of-range', message: expect.stringMatching(/float32/) });
    expect(g.check([MAX_SUM_OF_SQUARES / 2, MAX_SUM_OF_SQUARES / 2 + 1e32]).ok).toBe(false);
  });

  it('once it has seen a few results, refuses a norm far beyond the recent median, naming both', () => {
    const g = warmed(Array.from({ length: MIN_OBSERVATIONS }, (_, i) => 2 + i * 0.1));
    const median = 2.2;
    const v = g.check(squares(1e15));
    expect(v).toMatchObject({ ok: false, reason: 'out-of-range' });
    if (!v.ok) expect(v.message).toMatch(/gradient norm 1\.000e\+15 exceeds the limit/);
    expect(g.check(squares(Math.max(MIN_NORM_LIMIT, NORM_MULTIPLE * median) * 1.01)).ok).toBe(false);
    expect(g.check(squares(median * 50)).ok).toBe(true);
  });

  it('lets honest variation through: noisy small shards, early steep rounds, a norm shrinking as training converges', () => {
    const g = warmed([40, 30, 25, 12, 8, 5, 3, 2, 1.5, 1, 0.8, 0.5]);
    // A one-sample probe shard is much noisier than a full shard's mean.
    expect(g.check(squares(60)).ok).toBe(true);
  });

  it('judges the trainable tensors only; state tensors (batch-norm statistics) count for the ceiling alone', () => {
    const g = warmed([1, 1, 1, 1, 1]);
    expect(g.check([1, 1, 1e12], 2).ok).toBe(true);
    expect(g.check([1, 1, 1e12]).ok).toBe(false);
  });

  it('never refuses the first real gradient after zero ones', () => {
    const g = warmed([0, 0, 0, 0, 0, 0]);
    expect(g.check(squares(100)).ok).toBe(true);
  });

  it('forgets on reset (a new run, another model)', () => {
    const g = warmed([1, 1, 1, 1, 1]);
    expect(g.limit()).toBe(MIN_NORM_LIMIT);
    g.reset();
    expect(g.limit()).toBeUndefined();
  });
});
