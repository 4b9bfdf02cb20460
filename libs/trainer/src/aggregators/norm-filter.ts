import { weightedMean } from '../aggregate.ts';
import type { Aggregator } from './types.ts';
import { checkParts, median, norm } from './coordinates.ts';

export const DEFAULT_MAX_NORM_RATIO = 2;

/**
 * Norm filter: drops every part whose L2 norm exceeds `maxNormRatio` times the median norm, and
 * always the f largest; the weighted mean of the rest is exact over honest parts. It stops scaled
 * attacks (sign-flip ×10, noise) and not those that keep a normal norm (label flips).
 */
export const normFilterAggregator: Aggregator = {
  name: 'norm-filter',
  summary: 'weighted mean of the results whose norm is within a factor of the median norm',
  precondition: (n, o) => (n < 2 * o.f + 1 ? `needs n ≥ 2f + 1 results, has n = ${n} with f = ${o.f}` : undefined),
  aggregate: (parts, o) => {
    checkParts(parts);
    const norms = parts.map((p) => norm(p.grads.map((t) => t.data)));
    const limit = (o.maxNormRatio ?? DEFAULT_MAX_NORM_RATIO) * median(norms);
    const largest = new Set(
      parts
        .map((_, i) => i)
        .sort((a, b) => norms[b]! - norms[a]! || a - b)
        .slice(0, Math.min(o.f, parts.length - 1)),
    );
    const kept = parts.filter((_, i) => norms[i]! <= limit && !largest.has(i));
    return weightedMean(kept.length > 0 ? kept : parts);
  },
};
