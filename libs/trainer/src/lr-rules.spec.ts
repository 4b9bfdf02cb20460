import { describe, expect, it } from 'vitest';
import { adaScaleGain, LrRuleController, parseLrRule, ruleScale } from './lr-rules.ts';

describe('learning-rate scaling rules', () => {
  it('scales the reference rate by k, √k or not at all', () => {
    expect(ruleScale('none', 512, 32)).toBe(1);
    expect(ruleScale('linear', 512, 32)).toBe(16);
    expect(ruleScale('sqrt', 512, 32)).toBe(4);
    expect(ruleScale('linear', 16, 32)).toBe(0.5);
  });

  it('applies Goyal et al.\'s gradual warm-up from η to kη in equal steps', () => {
    const c = new LrRuleController({ rule: 'linear', baseLr: 0.1, baseBatch: 32, warmupSteps: 4 });
    const lrs = Array.from({ length: 6 }, () => c.next(256).lr); // k = 8
    // 0.1 → 0.8 in 4 steps: 0.1, 0.275, 0.45, 0.625, then 0.8 from step 4 on.
    [0.1, 0.275, 0.45, 0.625, 0.8, 0.8].forEach((v, i) => expect(lrs[i]).toBeCloseTo(v, 12));
    const s = new LrRuleController({ rule: 'sqrt', baseLr: 0.1, baseBatch: 32, warmupSteps: 2 });
    expect([s.next(128).lr, s.next(128).lr, s.next(128).lr].map((v) => +v.toFixed(12))).toEqual([0.1, 0.15, 0.2]);
    // The fixed rules count one iteration per step.
    expect(c.progress).toBe(6);
  });

  it('computes AdaScale\'s gain ratio from tr(Σ) and |G|²', () => {
    // σ² = tr(Σ)/B₀ = 100/10 = 10, μ² = 1, S = 8: r = (10 + 1)/(10/8 + 1) = 11/2.25
    expect(adaScaleGain(80, 10, { trace: 100, gradSq: 1 })).toBeCloseTo(11 / 2.25, 12);
    // Pure noise: the whole variance reduction S; no noise: 1.
    expect(adaScaleGain(80, 10, { trace: 100, gradSq: 0 })).toBe(8);
    expect(adaScaleGain(80, 10, { trace: 0, gradSq: 5 })).toBe(1);
    // No statistics yet, or no scale-up: 1.
    expect(adaScaleGain(80, 10, undefined)).toBe(1);
    expect(adaScaleGain(10, 10, { trace: 100, gradSq: 1 })).toBe(1);
    // Noisy estimates outside the exact bounds are clamped into [1, S].
    expect(adaScaleGain(80, 10, { trace: 100, gradSq: -3 })).toBe(8);
    expect(adaScaleGain(80, 10, { trace: -5, gradSq: 1 })).toBe(1);
  });

  it('counts AdaScale progress in scale-invariant iterations and reads the schedule at τ', () => {
    const stats = { trace: 100, gradSq: 1 };
    const r = adaScaleGain(80, 10, stats);
    const c = new LrRuleController({ rule: 'adascale', baseLr: 0.05, baseBatch: 10, schedule: { kind: 'step', everyEpochs: 1, gamma: 0.5 }, trainRows: 1000 });
    const first = c.next(80, { stats });
    expect(first.gain).toBeCloseTo(r, 12);
    expect(first.lr).toBeCloseTo(0.05 * r, 12);
    expect(first.progress).toBe(0);
    expect(c.next(80, { stats }).progress).toBeCloseTo(r, 12);
    expect(c.progress).toBeCloseTo(2 * r, 12);
    // Before any estimate the gain is 1 and τ advances by one.
    const d = new LrRuleController({ rule: 'adascale', baseLr: 0.05, baseBatch: 10 });
    expect(d.next(80).lr).toBe(0.05);
    expect(d.progress).toBe(1);
  });

  it('reads an epoch-based schedule at the base run\'s epoch τ·B₀/N under AdaScale, not at the real epoch', () => {
    const stats = { trace: 100, gradSq: 1 };
    const [batch, baseBatch, trainRows] = [80, 10, 1000];
    const r = adaScaleGain(batch, baseBatch, stats);
    const c = new LrRuleController({ rule: 'adascale', baseLr: 0.05, baseBatch, schedule: { kind: 'step', everyEpochs: 1, gamma: 0.5 }, trainRows });
    // The real epoch (B·steps/N) reaches 1 after N/B = 12.5 steps; it must not be what is read.
    const steps = Array.from({ length: 40 }, (_, k) => c.next(batch, { stats, epoch: (k * batch) / trainRows }));
    const decayedAt = steps.findIndex((s) => s.lr < 0.05 * r - 1e-12);
    // The first step whose τ (before it) is past one base epoch, N/B₀ base steps.
    const expected = steps.findIndex((s) => s.progress * baseBatch >= trainRows);
    expect(expected).toBeGreaterThan(Math.ceil(trainRows / batch));
    expect(decayedAt).toBe(expected);
    expect(steps[decayedAt]!.lr).toBeCloseTo(0.5 * 0.05 * r, 12);
    expect(steps[decayedAt - 1]!.progress * baseBatch).toBeLessThan(trainRows);
  });

  it('reads the schedule at the real epoch under the fixed rules', () => {
    const c = new LrRuleController({ rule: 'linear', baseLr: 0.1, baseBatch: 10, schedule: { kind: 'step', everyEpochs: 1, gamma: 0.5 }, trainRows: 1000 });
    expect(c.next(20, { epoch: 0.99 }).lr).toBeCloseTo(0.2, 12);
    expect(c.next(20, { epoch: 1 }).lr).toBeCloseTo(0.1, 12);
  });

  it('ramps AdaScale\'s gain from 1 during warm-up', () => {
    const stats = { trace: 100, gradSq: 0 }; // gain 8
    const c = new LrRuleController({ rule: 'adascale', baseLr: 1, baseBatch: 10, warmupSteps: 2 });
    expect([c.next(80, { stats }).gain, c.next(80, { stats }).gain, c.next(80, { stats }).gain]).toEqual([1, 4.5, 8]);
  });

  it('composes with a schedule from lr-schedule.ts', () => {
    const c = new LrRuleController({ rule: 'linear', baseLr: 0.1, baseBatch: 10, schedule: { kind: 'cosine' }, totalSteps: 4 });
    const lrs = Array.from({ length: 4 }, () => c.next(20).lr);
    expect(lrs[0]).toBeCloseTo(0.2, 12);
    expect(lrs[2]).toBeCloseTo(0.1, 12); // half way through the cosine
    expect(lrs[3]!).toBeLessThan(lrs[2]!);
  });

  it('refuses unknown rules and bad settings with a clear message', () => {
    expect(parseLrRule('sqrt')).toBe('sqrt');
    expect(() => parseLrRule('cubic')).toThrow(/unknown lr rule "cubic"; use one of none, linear, sqrt, adascale/);
    expect(() => new LrRuleController({ rule: 'linear', baseLr: 0, baseBatch: 32 })).toThrow(/positive number/);
    expect(() => new LrRuleController({ rule: 'linear', baseLr: NaN, baseBatch: 32 })).toThrow(/positive number/);
    expect(() => new LrRuleController({ rule: 'linear', baseLr: 0.1, baseBatch: 0 })).toThrow(/reference batch/);
    expect(() => new LrRuleController({ rule: 'linear', baseLr: 0.1, baseBatch: 32, warmupSteps: 1.5 })).toThrow(/warm-up/);
    // AdaScale's epoch-based schedules need N to find the base run's epoch; cosine reads steps only.
    expect(() => new LrRuleController({ rule: 'adascale', baseLr: 0.1, baseBatch: 32, schedule: { kind: 'exponential', rate: 0.9 } })).toThrow(/training rows N/);
    expect(() => new LrRuleController({ rule: 'adascale', baseLr: 0.1, baseBatch: 32, schedule: { kind: 'cosine' } })).not.toThrow();
    expect(() => new LrRuleController({ rule: 'linear', baseLr: 0.1, baseBatch: 32, trainRows: 0 })).toThrow(/training rows/);
  });
});
