import { weightedMean } from '../aggregate.ts';
import type { Aggregator } from './types.ts';

/** Σ nᵢ gᵢ / Σ nᵢ: exact synchronous data parallelism, and no defence at all. */
export const meanAggregator: Aggregator = {
  name: 'mean',
  summary: 'shard-weighted mean (exact; the default; one bad result moves it arbitrarily far)',
  precondition: (n, o) => {
    if (n < 1) return 'needs at least one result';
    if (o.f > 0) return `the mean tolerates no Byzantine result (f = ${o.f}); pick trimmed-mean, median, centered-clip or norm-filter`;
    return undefined;
  },
  aggregate: (parts, _o, target) => weightedMean(parts, target),
};
