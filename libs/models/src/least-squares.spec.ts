import { describe, expect, it } from 'vitest';
import { fitLeastSquares, predictLinear, rmse } from './least-squares.ts';
import { seededRandom } from '@shardgrad/data';

describe('least squares', () => {
  it('recovers the intercept and weights of an exact linear relation', () => {
    const rnd = seededRandom(1);
    const n = 50;
    const x = Float64Array.from({ length: n * 3 }, () => rnd() * 4 - 2);
    const y = Float64Array.from({ length: n }, (_, i) => 1.5 + 2 * x[i * 3]! - 0.5 * x[i * 3 + 1]! + 3 * x[i * 3 + 2]!);
    const fit = fitLeastSquares(x, y, n, 3);
    [1.5, 2, -0.5, 3].forEach((w, j) => expect(fit.weights[j]!).toBeCloseTo(w, 8));
    expect(rmse(predictLinear(fit, x, n, 3), y)).toBeLessThan(1e-9);
  });

  it('minimizes the squared error when the relation is noisy', () => {
    const rnd = seededRandom(2);
    const n = 200;
    const x = Float64Array.from({ length: n }, () => rnd());
    const y = Float64Array.from({ length: n }, (_, i) => 3 * x[i]! + (rnd() - 0.5));
    const fit = fitLeastSquares(x, y, n, 1);
    const best = rmse(predictLinear(fit, x, n, 1), y);
    // Any nudge of a weight makes it worse.
    for (const [a, b] of [[0.01, 0], [-0.01, 0], [0, 0.01], [0, -0.01]] as const) {
      const nudged = { weights: Float64Array.from([fit.weights[0]! + a, fit.weights[1]! + b]) };
      expect(rmse(predictLinear(nudged, x, n, 1), y)).toBeGreaterThan(best);
    }
  });

  it('refuses dependent columns and mismatched sizes', () => {
    const x = new Float64Array([1, 2, 2, 4, 3, 6, 4, 8]);
    expect(() => fitLeastSquares(x, [1, 2, 3, 4], 4, 2)).toThrow(/linearly dependent/);
    expect(() => fitLeastSquares(x, [1, 2, 3], 4, 2)).toThrow(/expected 4x2/);
  });
});
