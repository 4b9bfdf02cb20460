import type { TensorData } from '@shardgrad/codec';

export interface WeightedGradients {
  grads: readonly TensorData[];
  /** Samples (or timesteps) behind this gradient: its weight in the mean. */
  count: number;
}

/** Shard-weighted mean: Σ nᵢ gᵢ / Σ nᵢ, tensor by tensor. Exact for synchronous data parallelism. */
export function weightedMean(parts: readonly WeightedGradients[]): Float32Array[] {
  if (parts.length === 0) throw new Error('weightedMean needs at least one gradient');
  const total = parts.reduce((s, p) => s + p.count, 0);
  const first = parts[0]!.grads;
  return first.map((t, i) => {
    // Float32 accumulation: the error is that of one float sum per part, far inside 1e-6.
    const acc = new Float32Array(t.data.length);
    for (const p of parts) {
      const g = p.grads[i]!.data;
      if (g.length !== acc.length) throw new Error(`tensor ${i} has ${g.length} values, expected ${acc.length}`);
      const w = p.count / total;
      for (let j = 0; j < acc.length; j++) acc[j]! += w * g[j]!;
    }
    return acc;
  });
}

/** Weighted mean of per-shard scalars (loss, accuracy), so round metrics equal whole-batch metrics. */
export function weightedScalarMean(values: readonly { value: number; count: number }[]): number {
  const total = values.reduce((s, v) => s + v.count, 0);
  return total === 0 ? NaN : values.reduce((s, v) => s + v.value * v.count, 0) / total;
}
