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

/**
 * Shard-weighted mean: Σ nᵢ gᵢ / Σ nᵢ, tensor by tensor. Exact for synchronous data parallelism.
 * `out`, where given, receives the mean (the coordinator's buffers, reused every round: a fresh
 * 400 kB array per round costs more in page faults than the arithmetic).
 */
export function weightedMean(parts: readonly WeightedGradients[], out?: readonly Float32Array[]): Float32Array[] {
  if (parts.length === 0) throw new Error('weightedMean needs at least one gradient');
  const total = parts.reduce((s, p) => s + p.count, 0);
  const weights = parts.map((p) => p.count / total);
  if (out && out.length !== parts[0]!.grads.length) throw new Error(`the mean has ${parts[0]!.grads.length} tensors, its buffers ${out.length}`);
  return parts[0]!.grads.map((t, i) => {
    const n = t.data.length;
    const target = out?.[i] ?? new Float32Array(n);
    if (target.length !== n) throw new Error(`tensor ${i} has ${n} values, its buffer ${target.length}`);
    const data = parts.map((p) => {
      const g = p.grads[i]!.data;
      if (g.length !== n) throw new Error(`tensor ${i} has ${g.length} values, expected ${n}`);
      return g;
    });
    // This runs on the coordinator every round: the usual one and two shards get loops that write
    // each value once. Float32 accumulation errs by one float sum per part, far inside 1e-6.
    if (data.length === 2) return pairMean(target, data[0]!, weights[0]!, data[1]!, weights[1]!);
    scaled(target, data[0]!, weights[0]!);
    for (let k = 1; k < data.length; k++) addScaled(target, data[k]!, weights[k]!);
    return target;
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
