import { aggregateBlocks, getAggregator, type AggregatorName, type AggregatorOptions, type MeanTarget, type WeightedGradients } from '@shardgrad/trainer';

/** How a round's results become one update (`--aggregator`, `--byzantine`, `--trim`). */
export interface AggregationConfig {
  name: AggregatorName;
  options: AggregatorOptions;
}

export const DEFAULT_AGGREGATION: AggregationConfig = { name: 'mean', options: { f: 0 } };

/**
 * Checks a flag-level aggregation setting and fills its defaults: the mean assumes nobody lies
 * (f = 0); a robust rule assumes one liar unless told otherwise.
 */
export function resolveAggregation(name = 'mean', o: Partial<AggregatorOptions> = {}): AggregationConfig {
  const rule = getAggregator(name);
  const f = o.f ?? (rule.name === 'mean' ? 0 : 1);
  if (!Number.isInteger(f) || f < 0) throw new Error(`the number of Byzantine workers must be a whole number ≥ 0, got ${f}`);
  const options: AggregatorOptions = { ...o, f };
  const bad = rule.precondition(Number.MAX_SAFE_INTEGER, options);
  // Only a failure that no number of workers can cure is a configuration error (β out of range, the mean with f > 0).
  if (bad && !/n [≥>]/.test(bad) && !/fewer than f/.test(bad)) throw new Error(`--aggregator ${rule.name}: ${bad}`);
  return { name: rule.name, options };
}

/** Why a round with `n` results cannot be aggregated under `cfg`, or undefined. */
export function aggregationRefusal(cfg: AggregationConfig, n: number): string | undefined {
  return getAggregator(cfg.name).precondition(n, cfg.options);
}

/** The update of a round: the rule over the gradients, and separately over the state tensors. */
export function aggregateRound(cfg: AggregationConfig, parts: readonly WeightedGradients[], trainableCount: number, target?: MeanTarget): Float32Array[] {
  return aggregateBlocks(getAggregator(cfg.name), parts, trainableCount, cfg.options, target);
}

/**
 * Before a round under a robust rule: waits (up to `maxMs`) until no worker is still busy with a late
 * copy from the last round, since a busy worker gets no share and the round would come back short
 * of the results the rule needs. The mean needs no such wait.
 */
export async function settleBeforeRobustRound(cfg: AggregationConfig, pool: { list(): { busy: number }[] }, maxMs = 2000): Promise<void> {
  if (cfg.name === 'mean') return;
  const until = Date.now() + maxMs;
  while (pool.list().some((m) => m.busy > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}
