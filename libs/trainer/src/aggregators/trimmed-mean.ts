import type { Aggregator } from './types.ts';
import { checkParts, perCoordinate } from './coordinates.ts';

export const DEFAULT_TRIM = 0.2;

/**
 * Coordinate-wise trimmed mean, weighted: per coordinate, the values sorted, a fraction β of the total
 * weight cut from each end (a part straddling the cut counts with the weight left inside), and the
 * weighted mean of what remains. With equal shards and β·n whole, it is the textbook trimmed mean.
 */
export const trimmedMeanAggregator: Aggregator = {
  name: 'trimmed-mean',
  summary: 'coordinate-wise mean after cutting a fraction β of the weight from each end',
  precondition: (n, o) => {
    const beta = o.beta ?? DEFAULT_TRIM;
    if (!(beta >= 0 && beta < 0.5)) return `β must be in [0, 0.5), got ${beta}`;
    if (n <= 2 * o.f) return `needs n > 2f results, has n = ${n} with f = ${o.f}`;
    if (beta * n < o.f) return `β = ${beta} cuts ${(beta * n).toFixed(2)} of ${n} results from each end, fewer than f = ${o.f}; raise β or add workers`;
    return undefined;
  },
  aggregate: (parts, o) => {
    const beta = o.beta ?? DEFAULT_TRIM;
    const weights = checkParts(parts);
    return perCoordinate(parts, weights, (values, w) => {
      // Each value covers [c, c + w) of the unit weight line; only its overlap with [β, 1 − β) counts.
      let c = 0;
      let sum = 0;
      let kept = 0;
      for (let k = 0; k < values.length; k++) {
        const inside = Math.max(0, Math.min(c + w[k]!, 1 - beta) - Math.max(c, beta));
        sum += inside * values[k]!;
        kept += inside;
        c += w[k]!;
      }
      return kept > 1e-12 ? sum / kept : middle(values);
    });
  },
};

function middle(values: Float64Array): number {
  const m = values.length >> 1;
  return values.length % 2 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}
