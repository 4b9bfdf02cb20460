import type { NoiseWindow, PointResult } from './point-result.ts';

/** One batch (and worker count), averaged over its seeds. */
export interface BatchSummary {
  batch: number;
  workers: number;
  seeds: number;
  /** Seeds that reached the target. */
  reached: number;
  /** Means over the seeds that reached the target (null if none did). */
  stepsToTarget: number | null;
  timeToTarget: number | null;
  samplesPerSecond: number;
  finalTestAccuracy: number;
  generalizationGap: number;
  /** Median of the seeds' B_simple (pointNoiseScale: over the window at the target or at the end, else smoothed). */
  noiseScale: number | null;
  /** Where each seed's value came from, so the table can say when it is not "at the target". */
  noiseKinds: PointNoise['kind'][];
  /**
   * Against the next smaller batch of the same worker count: (steps there / steps here) divided
   * by (this batch / that batch). 1 = perfect scaling (steps halve when the batch doubles), 0 = none.
   */
  scalingEfficiency: number | null;
}

/** McCandlish et al.'s S(B) = S_min·(1 + B_crit/B), fitted to the steps to target. */
export interface ScalingFit {
  sMin: number;
  bCrit: number;
  /** Points the fit used. */
  n: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * What a point's noise scale is, for every output to say the same:
 * - `at-target`: over the window before the target (the last quarter of the steps to it, ≥ 20);
 * - `end-window`: the target was missed, so over the last quarter of all the steps;
 * - `smoothed`: the window's mean |G|² was not positive, so the moving average at the end stands in;
 * - `not-positive`: measured, but the estimate of |G|² was not positive (the noise dominates:
 *   B_simple is very large, or the window too short to average the noise out);
 * - `unmeasured`: no round had two shards to compare (one worker).
 */
export type PointNoise =
  | { kind: 'at-target' | 'end-window'; value: number; window: NoiseWindow | null }
  | { kind: 'smoothed'; value: number; window: NoiseWindow | null }
  | { kind: 'not-positive'; window: NoiseWindow | null }
  | { kind: 'unmeasured' };

export function pointNoise(r: PointResult): PointNoise {
  const w = r.noiseWindow;
  // noiseScaleAtTarget is the window's ratio, set only where its |G|² was positive.
  if (r.noiseScaleAtTarget !== null) return { kind: r.reached ? 'at-target' : 'end-window', value: r.noiseScaleAtTarget, window: w };
  if (r.noiseScale !== null && Number.isFinite(r.noiseScale)) return { kind: 'smoothed', value: r.noiseScale, window: w };
  if (!w && r.noiseHistory.length === 0) return { kind: 'unmeasured' };
  return { kind: 'not-positive', window: w };
}

/** The noise scale a point measured: over its window at the target (or at the end), else its last smoothed value. */
export function pointNoiseScale(r: PointResult): number | null {
  const n = pointNoise(r);
  return 'value' in n ? n.value : null;
}

export function summarizeByBatch(results: readonly PointResult[]): BatchSummary[] {
  const groups = new Map<string, PointResult[]>();
  for (const r of results) {
    const k = `${r.workers}:${r.batch}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const rows: BatchSummary[] = [...groups.values()].map((rs) => {
    const hit = rs.filter((r) => r.reached && r.stepsToTarget !== null);
    return {
      batch: rs[0]!.batch,
      workers: rs[0]!.workers,
      seeds: rs.length,
      reached: hit.length,
      stepsToTarget: hit.length ? mean(hit.map((r) => r.stepsToTarget!)) : null,
      timeToTarget: hit.length ? mean(hit.map((r) => r.timeToTarget!)) : null,
      samplesPerSecond: mean(rs.map((r) => r.samplesPerSecond)),
      finalTestAccuracy: mean(rs.map((r) => r.finalTestAccuracy)),
      generalizationGap: mean(rs.map((r) => r.generalizationGap)),
      noiseScale: median(rs.map(pointNoiseScale).filter((v): v is number => v !== null && Number.isFinite(v))),
      noiseKinds: rs.map((r) => pointNoise(r).kind),
      scalingEfficiency: null,
    };
  });
  rows.sort((a, b) => a.workers - b.workers || a.batch - b.batch);
  for (let i = 1; i < rows.length; i++) {
    const [prev, cur] = [rows[i - 1]!, rows[i]!];
    if (prev.workers !== cur.workers || prev.stepsToTarget === null || cur.stepsToTarget === null) continue;
    cur.scalingEfficiency = prev.stepsToTarget / cur.stepsToTarget / (cur.batch / prev.batch);
  }
  return rows;
}

/**
 * Least squares of S = a + b/B with weights 1/S² (relative errors: steps span orders of magnitude),
 * then S_min = a and B_crit = b/a. Null without two distinct batches or when the data do not have
 * the model's shape (a ≤ 0 or b < 0).
 */
export function fitStepsToTarget(points: readonly { batch: number; steps: number }[]): ScalingFit | null {
  const ps = points.filter((p) => p.steps > 0 && p.batch > 0);
  if (new Set(ps.map((p) => p.batch)).size < 2) return null;
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const p of ps) {
    const w = 1 / (p.steps * p.steps);
    const x = 1 / p.batch;
    sw += w;
    sx += w * x;
    sy += w * p.steps;
    sxx += w * x * x;
    sxy += w * x * p.steps;
  }
  const det = sw * sxx - sx * sx;
  if (!(Math.abs(det) > 0)) return null;
  const b = (sw * sxy - sx * sy) / det;
  const a = (sy - b * sx) / sw;
  if (!(a > 0) || !(b >= 0)) return null;
  return { sMin: a, bCrit: b / a, n: ps.length };
}

/** The fit over every seed that reached the target. */
export function fitSweep(results: readonly PointResult[]): ScalingFit | null {
  return fitStepsToTarget(results.filter((r) => r.reached && r.stepsToTarget !== null).map((r) => ({ batch: r.batch, steps: r.stepsToTarget! })));
}

/**
 * The sweep's measured noise scale at the target: every point reaches the same accuracy, so the same
 * tr(Σ) and |G|² hold there, and the points' windows are pooled. A round's |Ĝ|² has a variance of
 * about (tr Σ / B)² while the noise term dominates, so each round weighs B²: the large batches,
 * whose estimates are precise, count most. Ratio of the pooled means; without windows (or a
 * positive pooled |G|²), the median of the points' own values.
 */
export function measuredNoiseScale(results: readonly PointResult[]): number | null {
  const n = sweepNoise(results);
  return n.kind === 'measured' ? n.value : null;
}

/**
 * The sweep's noise scale with what it is: `measured` (pooled over the windows, or the points'
 * median), `not-positive` (rounds were measured but no estimate of |G|² came out positive), or
 * `unmeasured` (no point had two shards a round). `reached`/`windows`: how many of the pooled
 * points' windows end at the target, so the report can say "at the target" only when they do.
 */
export type SweepNoise =
  | { kind: 'measured'; value: number; pooled: boolean; windows: number; reached: number }
  | { kind: 'not-positive'; trace: number; gradSq: number; rounds: number }
  | { kind: 'unmeasured' };

export function sweepNoise(results: readonly PointResult[]): SweepNoise {
  let w = 0, trace = 0, gradSq = 0, rounds = 0;
  const windowed = results.filter((r) => r.noiseWindow !== null);
  for (const r of windowed) {
    const weight = r.noiseWindow!.rounds * r.batch * r.batch;
    w += weight;
    rounds += r.noiseWindow!.rounds;
    trace += weight * r.noiseWindow!.trace;
    gradSq += weight * r.noiseWindow!.gradSq;
  }
  const reached = windowed.filter((r) => r.reached).length;
  if (w > 0 && gradSq > 0) return { kind: 'measured', value: trace / gradSq, pooled: true, windows: windowed.length, reached };
  const own = median(results.map(pointNoiseScale).filter((v): v is number => v !== null && Number.isFinite(v)));
  if (own !== null) return { kind: 'measured', value: own, pooled: false, windows: windowed.length, reached };
  if (results.every((r) => pointNoise(r).kind === 'unmeasured')) return { kind: 'unmeasured' };
  return { kind: 'not-positive', trace: w > 0 ? trace / w : NaN, gradSq: w > 0 ? gradSq / w : NaN, rounds };
}
