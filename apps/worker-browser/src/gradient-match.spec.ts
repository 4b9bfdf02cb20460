import { describe, expect, it } from 'vitest';
import { GRADIENT_TOLERANCE, flatten, gradientsMatch, relativeError } from './gradient-match.ts';

describe('gradient match against cpu', () => {
  it('accepts float32-level differences and refuses half-precision-level ones', () => {
    const ref = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1e-2);
    const f32 = ref.map((v, i) => v * (1 + (i % 2 ? 1e-6 : -1e-6)));
    const f16 = ref.map((v, i) => v * (1 + (i % 2 ? 1e-3 : -1e-3)));
    expect(relativeError(f32, ref)).toBeLessThan(GRADIENT_TOLERANCE);
    expect(gradientsMatch(f32, ref)).toBe(true);
    expect(gradientsMatch(f16, ref)).toBe(false);
  });

  it('refuses NaN, Infinity and a different length', () => {
    const ref = Float32Array.from([1, 2, 3]);
    expect(gradientsMatch(Float32Array.from([1, NaN, 3]), ref)).toBe(false);
    expect(gradientsMatch(Float32Array.from([1, Infinity, 3]), ref)).toBe(false);
    expect(gradientsMatch(Float32Array.from([1, 2]), ref)).toBe(false);
  });

  it('compares absolutely when the reference is zero', () => {
    expect(relativeError([0, 1e-9], [0, 0])).toBeCloseTo(1e-9, 15);
    expect(gradientsMatch([0, 0], [0, 0])).toBe(true);
  });

  it('flattens tensors in position order', () => {
    const t = (v: number[]) => ({ shape: [v.length], dtype: 'float32' as const, data: Float32Array.from(v) });
    expect(Array.from(flatten([t([1, 2]), t([3]), t([])]))).toEqual([1, 2, 3]);
  });
});
