import { describe, expect, it } from 'vitest';
import { normalSampler, permutation, seededRandom } from '@shardgrad/data';
import { weightedMean, type WeightedGradients } from './aggregate.ts';
import { estimateNoiseSample, NoiseScaleEstimator } from './noise-scale.ts';

/**
 * Linear regression y = x·w* + ε with x ~ N(0, I_d), ε ~ N(0, σ²) and loss ½(x·w − y)². At w = w* + δ
 * one example's gradient is x(x·δ − ε), so (Isserlis' theorem for the fourth moments of x):
 *   G = E[g] = δ,   Σ = |δ|²I + δδᵀ + σ²I,   tr(Σ) = (d + 1)|δ|² + dσ²,
 * all known in closed form: the estimator must find them from shard means alone.
 */
function regression(d: number, sigma: number, seed: number) {
  const rng = seededRandom(seed);
  const normal = normalSampler(rng);
  const delta = Float64Array.from({ length: d }, () => normal() * 0.3);
  const deltaSq = delta.reduce((s, v) => s + v * v, 0);
  /** One example's gradient, as float32 like the workers send. */
  const example = (): Float32Array => {
    const x = Array.from({ length: d }, () => normal());
    const r = x.reduce((s, v, i) => s + v * delta[i]!, 0) - sigma * normal();
    return Float32Array.from(x, (v) => v * r);
  };
  return { example, trueGradSq: deltaSq, trueTrace: (d + 1) * deltaSq + d * sigma * sigma };
}

/** A shard's mean gradient, split in two tensors as a two-layer model's would be, plus a trailing state tensor. */
function shardOf(grads: Float32Array[], d: number): WeightedGradients {
  const mean = new Float32Array(d);
  for (const g of grads) for (let j = 0; j < d; j++) mean[j]! += g[j]! / grads.length;
  const cut = Math.floor(d / 3);
  return {
    count: grads.length,
    grads: [
      { shape: [cut], dtype: 'float32', data: mean.slice(0, cut) },
      { shape: [d - cut], dtype: 'float32', data: mean.slice(cut) },
      // Batch-norm style state after the gradients: huge values that must not leak into the estimate.
      { shape: [3], dtype: 'float32', data: new Float32Array([1e6, -1e6, 1e6]) },
    ],
  };
}

const within = (value: number, truth: number, rel: number) => expect(Math.abs(value - truth) / truth).toBeLessThan(rel);

describe('gradient noise scale estimator', () => {
  it('recovers tr(Σ), |G|² and B_simple of linear regression from shards of unequal sizes within 20%', () => {
    const d = 24;
    const p = regression(d, 1.5, 7);
    const sizes = [3, 8, 21, 40]; // B = 72, every shard a different size
    const est = new NoiseScaleEstimator(0.99);
    let traceSum = 0;
    let gradSqSum = 0;
    const rounds = 600;
    for (let r = 0; r < rounds; r++) {
      const parts = sizes.map((b) => shardOf(Array.from({ length: b }, p.example), d));
      const s = estimateNoiseSample(parts, { trainableCount: 2 })!;
      expect(s.shards).toBe(4);
      expect(s.batch).toBe(72);
      traceSum += s.trace;
      gradSqSum += s.gradSq;
      est.update(s);
    }
    const truth = p.trueTrace / p.trueGradSq;
    // The per-round estimates are unbiased: their mean lands close to the closed form.
    within(traceSum / rounds, p.trueTrace, 0.05);
    within(gradSqSum / rounds, p.trueGradSq, 0.1);
    // The smoothed estimate (what the coordinator reports) is within 20%.
    const e = est.estimate!;
    within(e.trace, p.trueTrace, 0.2);
    within(e.gradSq, p.trueGradSq, 0.2);
    within(e.bSimple!, truth, 0.2);
    expect(e.rounds).toBe(rounds);
  });

  it('is unbiased when batches are drawn without replacement from a finite set, once told its size', () => {
    // A fixed population of N examples (an epoch's training split); batches of 60% of it.
    const d = 12;
    const p = regression(d, 1, 3);
    const N = 200;
    const population = Array.from({ length: N }, p.example);
    const mean = new Float64Array(d);
    for (const g of population) for (let j = 0; j < d; j++) mean[j]! += g[j]! / N;
    const popGradSq = mean.reduce((s, v) => s + v * v, 0);
    let popTrace = 0;
    for (const g of population) for (let j = 0; j < d; j++) popTrace += (g[j]! - mean[j]!) ** 2 / (N - 1);
    const sizes = [10, 30, 80]; // B = 120 of N = 200
    let trace = 0;
    let corrected = 0;
    let naive = 0;
    const rounds = 400;
    for (let r = 0; r < rounds; r++) {
      const order = permutation(N, r + 1);
      let off = 0;
      const parts = sizes.map((b) => {
        const rows = Array.from(order.subarray(off, off + b), (i) => population[i]!);
        off += b;
        return shardOf(rows, d);
      });
      const s = estimateNoiseSample(parts, { trainableCount: 2, populationSize: N })!;
      trace += s.trace / rounds;
      corrected += s.gradSq / rounds;
      naive += estimateNoiseSample(parts, { trainableCount: 2 })!.gradSq / rounds;
    }
    within(trace, popTrace, 0.05);
    within(corrected, popGradSq, 0.1);
    // Without the finite-population term, |G|² comes out too low by Ŝ/N: worse than the corrected one.
    expect(Math.abs(naive - popGradSq)).toBeGreaterThan(Math.abs(corrected - popGradSq));
  });

  it('equals the paper\'s two-batch-size estimator when the shards are equal', () => {
    const d = 10;
    const p = regression(d, 1, 11);
    const parts = [5, 5, 5, 5].map((b) => shardOf(Array.from({ length: b }, p.example), d));
    const s = estimateNoiseSample(parts, { trainableCount: 2 })!;
    const flat = (w: WeightedGradients) => [...w.grads[0]!.data, ...w.grads[1]!.data];
    const norms = parts.map((w) => flat(w).reduce((a, v) => a + v * v, 0));
    const small = norms.reduce((a, b) => a + b, 0) / parts.length; // |G_small|², averaged over shards
    const G = flat(parts[0]!).map((_, j) => parts.reduce((a, w) => a + flat(w)[j]!, 0) / parts.length);
    const big = G.reduce((a, v) => a + v * v, 0); // |G_big|²
    const [bs, bb] = [5, 20];
    expect(s.trace).toBeCloseTo((small - big) / (1 / bs - 1 / bb), 6);
    expect(s.gradSq).toBeCloseTo((bb * big - bs * small) / (bb - bs), 6);
  });

  it('gives the same estimate from the coordinator\'s by-products (each shard\'s Σg² and the round\'s mean)', () => {
    const d = 30;
    const p = regression(d, 1, 5);
    const parts = [3, 8, 13].map((b) => shardOf(Array.from({ length: b }, p.example), d));
    const full = estimateNoiseSample(parts, { trainableCount: 2 })!;
    const withSums = parts.map((w) => ({ ...w, sumSquares: w.grads.map((t) => Array.from(t.data).reduce((a, v) => a + v * v, 0)) }));
    const mean = weightedMean(parts);
    const fast = estimateNoiseSample(withSums, { trainableCount: 2, mean })!;
    // The mean in float32 rather than float64: agreement to float32 precision.
    expect(fast.trace).toBeCloseTo(full.trace, 4);
    expect(fast.gradSq).toBeCloseTo(full.gradSq, 4);
    expect(Math.abs(fast.trace / full.trace - 1)).toBeLessThan(1e-5);
    expect(() => estimateNoiseSample(withSums, { trainableCount: 2, mean: [mean[0]!, mean[0]!] })).toThrow(/mean's gradient 1/);
  });

  it('needs two shards: a single shard (one worker) gives no estimate', () => {
    const parts = [shardOf([new Float32Array([1, 2, 3])], 3)];
    expect(estimateNoiseSample(parts)).toBeUndefined();
    // Empty shards do not count as shards.
    expect(estimateNoiseSample([...parts, { count: 0, grads: parts[0]!.grads }])).toBeUndefined();
    const est = new NoiseScaleEstimator();
    expect(est.observe(parts)).toBeUndefined();
    expect(est.estimate).toBeUndefined();
  });

  it('reports B_simple as null while the smoothed |G|² is not positive', () => {
    const est = new NoiseScaleEstimator(0.5);
    const e = est.update({ trace: 10, gradSq: -1, shards: 2, batch: 8 });
    expect(e.bSimple).toBeNull();
    expect(est.update({ trace: 10, gradSq: 3, shards: 2, batch: 8 }).bSimple).toBeGreaterThan(0);
  });

  it('debiases the moving averages: a constant input is reported as itself from the first round', () => {
    const est = new NoiseScaleEstimator(0.9);
    for (let i = 0; i < 3; i++) {
      const e = est.update({ trace: 50, gradSq: 2, shards: 2, batch: 8 });
      expect(e.trace).toBeCloseTo(50, 9);
      expect(e.bSimple).toBeCloseTo(25, 9);
    }
    est.reset();
    expect(est.estimate).toBeUndefined();
  });

  it('refuses shards whose layouts differ, and bad smoothing', () => {
    const a = shardOf([new Float32Array([1, 2, 3])], 3);
    const b: WeightedGradients = { count: 2, grads: [{ shape: [2], dtype: 'float32', data: new Float32Array(2) }] };
    expect(() => estimateNoiseSample([a, b], { trainableCount: 2 })).toThrow(/tensors, expected at least 2/);
    const c: WeightedGradients = { count: 2, grads: [{ shape: [2], dtype: 'float32', data: new Float32Array(2) }, a.grads[1]!] };
    expect(() => estimateNoiseSample([a, c], { trainableCount: 2 })).toThrow(/gradient 0 has/);
    expect(() => new NoiseScaleEstimator(1)).toThrow(/smoothing/);
    expect(() => new NoiseScaleEstimator(-0.1)).toThrow(/smoothing/);
  });

  it('gives no estimate from non-finite gradients instead of a NaN noise scale', () => {
    const a = shardOf([new Float32Array([1, NaN, 3])], 3);
    const b = shardOf([new Float32Array([1, 2, 3])], 3);
    expect(estimateNoiseSample([a, b], { trainableCount: 2 })).toBeUndefined();
  });
});
