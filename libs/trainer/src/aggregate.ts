import type { TensorData } from '@shardgrad/codec';

export interface WeightedGradients {
  grads: readonly TensorData[];
  /** Samples (or timesteps) behind this gradient: its weight in the mean. */
  count: number;
  /**
   * Σ g² of each tensor, in float64, where the coordinator's finiteness check already summed it
   * (validate-result.ts): the noise scale then needs no pass of its own over the shard.
   */
  sumSquares?: readonly number[];
}

/** Computes out ← Σ wₖ·inputₖ elsewhere (simd-weighted-sum.ts); false where it cannot take this size. */
export interface WeightedSumKernel {
  weightedSum(inputs: readonly Float32Array[], weights: readonly number[], out: Float32Array): boolean;
}

/**
 * Where the coordinator has a round's mean written: buffers it reuses every round (a fresh 400 kB
 * array per round costs more in page faults than the arithmetic), and the kernel that sums into them.
 */
export interface MeanTarget {
  buffers: readonly Float32Array[];
  kernel?: WeightedSumKernel;
}

/**
 * Shard-weighted mean: Σ nᵢ gᵢ / Σ nᵢ, tensor by tensor. Exact for synchronous data parallelism.
 * With a `target` the mean goes into its buffers (and is computed by its kernel where it has one).
 */
export function weightedMean(parts: readonly WeightedGradients[], target?: MeanTarget): Float32Array[] {
  if (parts.length === 0) throw new Error('weightedMean needs at least one gradient');
  const total = parts.reduce((s, p) => s + p.count, 0);
  const weights = parts.map((p) => p.count / total);
  const out = target?.buffers;
  if (out && out.length !== parts[0]!.grads.length) throw new Error(`the mean has ${parts[0]!.grads.length} tensors, its buffers ${out.length}`);
  return parts[0]!.grads.map((t, i) => {
    const n = t.data.length;
    const sum = out?.[i] ?? new Float32Array(n);
    if (sum.length !== n) throw new Error(`tensor ${i} has ${n} values, its buffer ${sum.length}`);
    const data = parts.map((p) => {
      const g = p.grads[i]!.data;
      if (g.length !== n) throw new Error(`tensor ${i} has ${g.length} values, expected ${n}`);
      return g;
    });
    // The coordinator's kernel sums in float32 SIMD; elsewhere the usual one and two shards get loops
    // that write each value once. Float32 accumulation errs by one float sum per part, far inside 1e-6.
    if (target?.kernel && data.every((d) => d instanceof Float32Array) && target.kernel.weightedSum(data as Float32Array[], weights, sum)) return sum;
    if (data.length === 2) return pairMean(sum, data[0]!, weights[0]!, data[1]!, weights[1]!);
    scaled(sum, data[0]!, weights[0]!);
    for (let k = 1; k < data.length; k++) addScaled(sum, data[k]!, weights[k]!);
    return sum;
  });
}

function scaled(out: Float32Array, g: ArrayLike<number>, w: number): Float32Array {
  for (let j = 0; j < out.length; j++) out[j] = w * g[j]!;
  return out;
}

function pairMean(out: Float32Array, a: ArrayLike<number>, wa: number, b: ArrayLike<number>, wb: number): Float32Array {
  // Same rounding as accumulating into float32 one part at a time: round(wa·a), then round(that + wb·b).
  for (let j = 0; j < out.length; j++) out[j] = Math.fround(wa * a[j]!) + wb * b[j]!;
  return out;
}

function addScaled(acc: Float32Array, g: ArrayLike<number>, w: number): void {
  for (let j = 0; j < acc.length; j++) acc[j]! += w * g[j]!;
}

/** Weighted mean of per-shard scalars (loss, accuracy), so round metrics equal whole-batch metrics. */
export function weightedScalarMean(values: readonly { value: number; count: number }[]): number {
  const total = values.reduce((s, v) => s + v.count, 0);
  return total === 0 ? NaN : values.reduce((s, v) => s + v.value * v.count, 0) / total;
}
