import { describe, expect, it } from 'vitest';
import { perLabelScores } from './f1.ts';

describe('per-label F1', () => {
  it('counts true and false positives per label at the threshold', () => {
    // 4 samples x 2 labels. Label 0: tp 2, fp 1, fn 1. Label 1: never present, never predicted.
    const prob = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.2, 0.4];
    const truth = [1, 0, 1, 0, 0, 0, 1, 0];
    const [a, b] = perLabelScores(prob, truth, 4, 2);
    expect(a!.precision).toBeCloseTo(2 / 3);
    expect(a!.recall).toBeCloseTo(2 / 3);
    expect(a!.f1).toBeCloseTo(2 / 3);
    expect(a!.support).toBe(3);
    expect(b!.f1).toBe(1);
  });

  it('gives 0 when a present label is never predicted', () => {
    expect(perLabelScores([0.1, 0.2], [1, 1], 2, 1)[0]!.f1).toBe(0);
  });

  it('refuses mismatched sizes', () => {
    expect(() => perLabelScores([0.1], [1, 0], 1, 2)).toThrow(/expected 1x2/);
  });
});
