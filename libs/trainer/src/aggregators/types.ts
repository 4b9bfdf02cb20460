import type { MeanTarget, WeightedGradients } from '../aggregate.ts';

/**
 * A rule that turns one round's per-shard vectors into the vector the optimizer applies.
 * Rules are pure: the same parts give the same bits, so a resumed run repeats an uninterrupted one.
 */
export interface AggregatorOptions {
  /** How many of the round's results may be Byzantine (wrong on purpose); preconditions are stated in it. */
  f: number;
  /** trimmed-mean: fraction of the total weight cut from each end of every coordinate, in [0, 0.5). */
  beta?: number;
  /** centered-clip: clipping radius τ; by default the median distance of the parts from the start point. */
  tau?: number;
  /** centered-clip: fixed-point iterations L. */
  iterations?: number;
  /** norm-filter: a part whose norm exceeds this multiple of the median norm is dropped. */
  maxNormRatio?: number;
}

export interface Aggregator {
  name: AggregatorName;
  summary: string;
  /**
   * Why the rule cannot give its guarantee with `n` results of which up to `f` may be Byzantine,
   * or undefined when it can. The coordinator refuses to start (or to apply) a round that fails it.
   */
  precondition(n: number, o: AggregatorOptions): string | undefined;
  /** `target`: where the rule may write its result (the mean does; the robust rules allocate). */
  aggregate(parts: readonly WeightedGradients[], o: AggregatorOptions, target?: MeanTarget): Float32Array[];
}

export const AGGREGATOR_NAMES = ['mean', 'trimmed-mean', 'median', 'centered-clip', 'norm-filter'] as const;
export type AggregatorName = (typeof AGGREGATOR_NAMES)[number];
