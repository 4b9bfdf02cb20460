import type { Aggregator } from './types.ts';
import { checkParts, distance, median, perCoordinate, sortedWeightedMedian } from './coordinates.ts';

export const DEFAULT_CLIP_ITERATIONS = 3;

/**
 * Centered clipping (Karimireddy, He & Jaggi, "Learning from History for Byzantine Robust
 * Optimization", ICML 2021): v ← v + Σ wᵢ (xᵢ − v) · min(1, τ / ‖xᵢ − v‖), repeated L times.
 * The paper starts from the previous step's aggregate (momentum); a pure rule has no history, so it
 * starts from the weighted coordinate-wise median, which the Byzantine minority cannot move far.
 * τ defaults to the median distance of the parts from that start: honest parts pass almost
 * unclipped, a far-away one pulls by at most τ times its weight.
 */
export const centeredClipAggregator: Aggregator = {
  name: 'centered-clip',
  summary: 'iterative centered clipping around a robust start (Karimireddy et al. 2021)',
  precondition: (n, o) => (n < 2 * o.f + 1 ? `needs n ≥ 2f + 1 results, has n = ${n} with f = ${o.f}` : undefined),
  aggregate: (parts, o) => {
    const weights = checkParts(parts);
    const v = perCoordinate(parts, weights, sortedWeightedMedian);
    const xs = parts.map((p) => p.grads.map((t) => t.data));
    const tau = o.tau ?? median(xs.map((x) => distance(x, v)));
    const iterations = o.iterations ?? DEFAULT_CLIP_ITERATIONS;
    for (let l = 0; l < iterations; l++) {
      const scale = xs.map((x, i) => {
        const d = distance(x, v);
        return weights[i]! * (d > tau ? tau / d : 1);
      });
      const step = v.map((t) => new Float64Array(t.length));
      xs.forEach((x, i) => {
        const s = scale[i]!;
        if (s === 0) return;
        x.forEach((t, ti) => {
          const acc = step[ti]!;
          const c = v[ti]!;
          for (let j = 0; j < t.length; j++) acc[j]! += s * (t[j]! - c[j]!);
        });
      });
      v.forEach((t, ti) => {
        const acc = step[ti]!;
        for (let j = 0; j < t.length; j++) t[j]! += acc[j]!;
      });
    }
    return v;
  },
};
