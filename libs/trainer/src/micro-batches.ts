import { weightedMean, weightedScalarMean } from './aggregate.ts';
import type { ShardGradients } from './gradients.ts';

/**
 * Sizes of the passes a shard of n samples takes when no pass may exceed `max`: as few as
 * possible, as equal as possible (batch norm then normalizes over alike chunks). [n] when it fits
 * or `max` is 0 (off).
 */
export function microBatchSizes(n: number, max: number): number[] {
  if (!(max > 0) || n <= max) return [n];
  const k = Math.ceil(n / max);
  const base = Math.floor(n / k);
  const extra = n - base * k;
  return Array.from({ length: k }, (_, i) => base + (i < extra ? 1 : 0));
}

export interface CountedGradients extends ShardGradients {
  count: number;
}

/**
 * One shard's result from its passes: gradient, loss and metrics are means weighted by each pass's
 * samples (each pass's gradient is of its own mean loss, so this is the gradient of the shard's
 * mean loss), by the same weighted means the coordinator takes of the shards. The state is the last
 * pass's, since each pass moved the batch-norm statistics on from where the previous one left them.
 */
export function combinePasses(passes: readonly CountedGradients[]): CountedGradients {
  if (passes.length === 1) return passes[0]!;
  const means = weightedMean(passes);
  const grads = passes[0]!.grads.map((t, i) => ({ shape: [...t.shape], dtype: 'float32' as const, data: means[i]! }));
  const mean = (value: (p: CountedGradients) => number) => weightedScalarMean(passes.map((p) => ({ value: value(p), count: p.count })));
  const metrics = Object.fromEntries(Object.keys(passes[0]!.metrics).map((k) => [k, mean((p) => p.metrics[k]!)]));
  return { grads, state: passes[passes.length - 1]!.state, loss: mean((p) => p.loss), metrics, count: passes.reduce((s, p) => s + p.count, 0) };
}
