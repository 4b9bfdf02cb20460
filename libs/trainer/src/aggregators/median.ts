import type { Aggregator } from './types.ts';
import { checkParts, perCoordinate, sortedWeightedMedian } from './coordinates.ts';

/** Coordinate-wise weighted median: per coordinate, the value at half of the total shard weight. */
export const medianAggregator: Aggregator = {
  name: 'median',
  summary: 'coordinate-wise median, weighted by shard size',
  precondition: (n, o) => (n < 2 * o.f + 1 ? `needs n ≥ 2f + 1 results, has n = ${n} with f = ${o.f}` : undefined),
  aggregate: (parts) => perCoordinate(parts, checkParts(parts), sortedWeightedMedian),
};
