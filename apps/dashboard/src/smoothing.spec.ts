import { describe, expect, it } from 'vitest';
import { smooth } from './smoothing.ts';

describe('smooth', () => {
  it('leaves values alone at weight 0 and keeps gaps', () => {
    expect(smooth([1, null, 3], 0)).toEqual([1, null, 3]);
  });

  it('has no start-up bias: a constant series stays constant', () => {
    for (const v of smooth([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 10);
  });

  it('follows a step change gradually', () => {
    const s = smooth([0, 0, 0, 10, 10, 10], 0.5) as number[];
    expect(s[3]).toBeGreaterThan(0);
    expect(s[3]).toBeLessThan(10);
    expect(s[5]).toBeGreaterThan(s[4]!);
  });

  it('passes NaN (a diverged loss) through visibly', () => {
    expect(smooth([1, NaN, 1], 0.5)[1]).toBeNaN();
  });
});
