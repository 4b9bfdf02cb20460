/**
 * The gradient noise scale of McCandlish et al. (2018, "An Empirical Model of Large-Batch
 * Training"): B_simple = tr(Σ) / |G|², where G is the true (whole-data) gradient and Σ the
 * covariance of one example's gradient. Past a global batch near B_simple, a bigger batch barely
 * cuts the steps to a target: it is the critical batch size.
 *
 * ## The estimator, for shards of unequal sizes
 * A round splits its global batch of B examples into k shards of sizes b₁…b_k (Σbᵢ = B); shard i
 * returns the mean gradient gᵢ of its bᵢ examples, and the step applies G_B = Σ bᵢgᵢ / B. With
 * per-example gradients of mean G and covariance Σ (S = tr Σ):
 *
 *     E|gᵢ|² = |G|² + S/bᵢ          E|G_B|² = |G|² + S/B
 *
 * so  E[Σ bᵢ|gᵢ|² − B|G_B|²] = (B|G|² + kS) − (B|G|² + S) = (k − 1)·S, and since
 * Σ bᵢ|gᵢ − G_B|² = Σ bᵢ|gᵢ|² − B|G_B|² (the between-shard sum of squares of an analysis of variance):
 *
 *     Ŝ    = Σ bᵢ |gᵢ − G_B|² / (k − 1)          unbiased for S, whatever the bᵢ
 *     |Ĝ|² = |G_B|² − Ŝ / B                      unbiased for |G|²
 *
 * With k equal shards this is exactly the paper's two-batch-size estimator (B_small = B/k,
 * B_big = B, |G_small|² averaged over the shards). We use the sum-of-squares form because it never
 * subtracts two large nearly equal numbers in float32 (it is accumulated in float64 anyway).
 *
 * Epochs draw examples without replacement from a training set of N rows. The shards are then a
 * random partition of a simple random sample, the same Ŝ stays unbiased (for Σ with the N − 1
 * divisor), and only the mean carries the finite-population factor: E|G_B|² = |G|² + S(1/B − 1/N).
 * Pass `populationSize` = N to correct for it; it matters once B is a sizeable fraction of N.
 *
 * A round needs at least two shards (k ≥ 2): with one worker there is nothing to compare, and the
 * estimate is unavailable rather than guessed.
 *
 * ## Smoothing
 * One round's Ŝ and |Ĝ|² are noisy (|Ĝ|² can even come out negative), so, as the paper does, we
 * keep exponential moving averages of the numerator and the denominator separately and report
 * their ratio. The averages are debiased like Adam's moments, so early rounds are not pulled to 0.
 */
import type { WeightedGradients } from './aggregate.ts';
import { sumOfSquares } from './aggregators/coordinates.ts';

/** One round's unbiased estimates, before smoothing. */
export interface NoiseSample {
  /** Ŝ: the trace of the per-example gradient covariance. */
  trace: number;
  /** |Ĝ|²: the squared norm of the true gradient (may be negative in a noisy round). */
  gradSq: number;
  /** Shards that took part (k). */
  shards: number;
  /** Examples in the round (B = Σbᵢ). */
  batch: number;
}

export interface NoiseSampleOptions {
  /** Tensors per result that are gradients; the rest (batch-norm state) are left out. Default: all. */
  trainableCount?: number;
  /** Rows the batches are drawn from without replacement (the training split); absent = unbounded. */
  populationSize?: number;
  /**
   * The round's shard-weighted mean gradient, where the coordinator already computed it (the `mean`
   * aggregator): with each part's `sumSquares` the estimate then takes one read of the mean and
   * no pass over the shards.
   */
  mean?: readonly Float32Array[];
}

/**
 * Ŝ and |Ĝ|² from one round's shard gradients (each the mean over its `count` examples).
 * Undefined when fewer than two shards hold examples. Throws on shards whose layouts differ.
 */
export function estimateNoiseSample(parts: readonly WeightedGradients[], opts: NoiseSampleOptions = {}): NoiseSample | undefined {
  const shards = parts.filter((p) => p.count > 0);
  const k = shards.length;
  if (k < 2) return undefined;
  const tensors = opts.trainableCount ?? shards[0]!.grads.length;
  const batch = shards.reduce((s, p) => s + p.count, 0);
  for (const p of shards) {
    if (p.grads.length < tensors) throw new Error(`a shard has ${p.grads.length} tensors, expected at least ${tensors} gradients`);
  }
  // Σᵢ bᵢ‖gᵢ − Ḡ‖² = Σᵢ bᵢ‖gᵢ‖² − B‖Ḡ‖² (because Σᵢ bᵢgᵢ = BḠ): one dot product per shard and
  // one for the mean, in plain monomorphic loops — this runs every round on the coordinator.
  let weightedSq = 0;
  let meanSq = 0;
  for (let t = 0; t < tensors; t++) {
    const len = shards[0]!.grads[t]!.data.length;
    for (const p of shards) {
      const a = p.grads[t]!.data;
      if (a.length !== len) throw new Error(`gradient ${t} has ${a.length} values in one shard and ${len} in another`);
      weightedSq += p.count * (p.sumSquares?.[t] ?? sumOfSquares(a));
    }
    const mean = opts.mean?.[t];
    if (mean && mean.length !== len) throw new Error(`the mean's gradient ${t} has ${mean.length} values, the shards ${len}`);
    meanSq += mean ? sumOfSquares(mean) : weightedMeanSq(shards, t, len, batch);
  }
  const between = Math.max(0, weightedSq - batch * meanSq);
  const trace = between / (k - 1);
  const population = opts.populationSize;
  const sampling = population && population > 1 ? 1 / batch - 1 / population : 1 / batch;
  const gradSq = meanSq - trace * Math.max(0, sampling);
  if (!Number.isFinite(trace) || !Number.isFinite(gradSq)) return undefined;
  return { trace, gradSq, shards: k, batch };
}

/** ‖Σ bᵢgᵢ / B‖² of tensor t, accumulated in float64. */
function weightedMeanSq(shards: readonly WeightedGradients[], t: number, len: number, batch: number): number {
  const acc = new Float64Array(len);
  for (const p of shards) {
    const a = p.grads[t]!.data;
    for (let j = 0; j < len; j++) acc[j]! += p.count * a[j]!;
  }
  let sq = 0;
  for (let j = 0; j < len; j++) {
    const m = acc[j]! / batch;
    sq += m * m;
  }
  return sq;
}

/** The smoothed estimate after some rounds. */
export interface NoiseScaleEstimate {
  /** tr(Σ), smoothed. */
  trace: number;
  /** |G|², smoothed. */
  gradSq: number;
  /**
   * B_simple = tr(Σ)/|G|², in examples. Null while the smoothed |G|² is not positive: the
   * gradient is not yet distinguishable from its noise (the noise scale is "very large").
   */
  bSimple: number | null;
  /** Rounds that fed the averages. */
  rounds: number;
  /** The last round's own estimates. */
  last: NoiseSample;
}

/** Per-round weight of the past in the moving averages: about the last 1/(1 − β) = 20 rounds count. */
export const DEFAULT_NOISE_SMOOTHING = 0.95;

/** Moving averages of Ŝ and |Ĝ|² (debiased), and their ratio B_simple. */
export class NoiseScaleEstimator {
  private traceAvg = 0;
  private gradSqAvg = 0;
  private weight = 0;
  private count = 0;
  private latest: NoiseScaleEstimate | undefined;

  constructor(readonly smoothing = DEFAULT_NOISE_SMOOTHING) {
    if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`noise-scale smoothing must be in [0, 1), got ${smoothing}`);
  }

  /** Feeds one round; returns the updated estimate. */
  update(sample: NoiseSample): NoiseScaleEstimate {
    const b = this.smoothing;
    this.traceAvg = b * this.traceAvg + (1 - b) * sample.trace;
    this.gradSqAvg = b * this.gradSqAvg + (1 - b) * sample.gradSq;
    // Weight of the averages so far (1 − βᵗ): dividing by it removes the pull towards the initial 0.
    this.weight = b * this.weight + (1 - b);
    this.count++;
    const trace = this.traceAvg / this.weight;
    const gradSq = this.gradSqAvg / this.weight;
    this.latest = { trace, gradSq, bSimple: gradSq > 0 ? trace / gradSq : null, rounds: this.count, last: sample };
    return this.latest;
  }

  /** Feeds one round's shard gradients; undefined (and nothing fed) when the round had fewer than two shards. */
  observe(parts: readonly WeightedGradients[], opts?: NoiseSampleOptions): NoiseScaleEstimate | undefined {
    const sample = estimateNoiseSample(parts, opts);
    return sample ? this.update(sample) : undefined;
  }

  get estimate(): NoiseScaleEstimate | undefined {
    return this.latest;
  }

  reset(): void {
    this.traceAvg = this.gradSqAvg = this.weight = this.count = 0;
    this.latest = undefined;
  }
}
