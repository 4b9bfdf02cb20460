import { createHash } from 'node:crypto';
import type { LrRule, LrSchedule } from '@shardgrad/trainer';
import { counted } from '../plural.ts';

/** What stays the same across the points of a sweep; two sweeps with equal settings share a directory. */
export interface SweepSettings {
  model: string;
  dataset?: string;
  /** Model options (`--dropout`, `--set`, …) and dataset options (`--dataset-option`), as `train` takes them. */
  modelConfig?: Record<string, unknown>;
  datasetOptions?: Record<string, unknown>;
  optimizer?: string;
  /** η, the rate at the reference batch (default: the model's). */
  lr?: number;
  /** B₀, the batch η belongs to (default: the model's default batch). */
  baseBatch?: number;
  lrRule: LrRule;
  warmupSteps: number;
  lrSchedule?: LrSchedule;
  targetAccuracy: number;
  maxSteps: number;
  /** Stop a point as soon as it reaches the target (default), or train on to maxSteps. */
  stopAtTarget: boolean;
  /** Evaluate every this many steps; absent = at steps 1…20, then every 5% of the steps so far. */
  evalEvery?: number;
  /** Grow the batch towards the measured noise scale (up to maxBatch). */
  adaptiveBatch?: { maxBatch: number; everySteps: number };
  /** Real worker processes, or virtual workers inside the sweep's process. */
  fleet: 'processes' | 'simulated';
  backend: string;
}

/** The dimensions of a sweep: every combination is one point. */
export interface SweepGrid {
  batches: number[];
  workers: number[];
  seeds: number[];
}

export interface SweepPoint {
  /** Stable name of the point inside its sweep: `b64-w2-s1` (and the key for resuming). */
  id: string;
  batch: number;
  workers: number;
  seed: number;
}

export function pointId(batch: number, workers: number, seed: number): string {
  return `b${batch}-w${workers}-s${seed}`;
}

/** Every point, smallest batch first, then by workers and seed. */
export function sweepPoints(grid: SweepGrid): SweepPoint[] {
  const unique = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
  const out: SweepPoint[] = [];
  for (const batch of unique(grid.batches)) {
    for (const workers of unique(grid.workers)) {
      for (const seed of unique(grid.seeds)) out.push({ id: pointId(batch, workers, seed), batch, workers, seed });
    }
  }
  return out;
}

/** A short digest of the settings: the default sweep directory's name, so rerunning a command resumes it. */
export function settingsKey(s: SweepSettings): string {
  return createHash('sha256').update(canonicalJson(s)).digest('hex').slice(0, 10);
}

/** JSON with object keys sorted at every depth, so equal settings always hash alike. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The settings that differ between two sweeps, for the message when a directory holds another sweep. */
export function settingsDiff(a: SweepSettings, b: SweepSettings): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    const va = JSON.stringify((a as unknown as Record<string, unknown>)[k]);
    const vb = JSON.stringify((b as unknown as Record<string, unknown>)[k]);
    if (va !== vb) out.push(`${k}: ${va ?? 'unset'} there, ${vb ?? 'unset'} now`);
  }
  return out;
}

export class SweepConfigError extends Error {
  override name = 'SweepConfigError';
}

/**
 * Points a sweep may have. Each is a whole training run, so more is a typo (--seeds 1000000000),
 * and expanding such a grid into points ran the process out of memory before any check.
 */
export const MAX_SWEEP_POINTS = 10_000;

/** Refuses a grid of more than MAX_SWEEP_POINTS points, from the sizes of its dimensions (distinct values). */
export function checkGridSize(batches: number, workers: number, seeds: number): void {
  const points = batches * workers * seeds;
  if (points > MAX_SWEEP_POINTS) {
    const dims = `${counted(batches, 'batch', 'batches')} × ${counted(workers, 'worker count')} × ${counted(seeds, 'seed')}`;
    throw new SweepConfigError(`the grid has ${points.toLocaleString('en')} points (${dims}), each a training run; a sweep takes at most ${MAX_SWEEP_POINTS.toLocaleString('en')}`);
  }
}

/** The grid of the sweep command's flags, checked for size before the seeds are listed. */
export function sweepGrid(batches: number[], workers: number[], seeds: number): SweepGrid {
  checkGridSize(new Set(batches).size, new Set(workers).size, seeds);
  return { batches, workers, seeds: Array.from({ length: seeds }, (_, i) => i + 1) };
}

export function checkSweep(s: SweepSettings, g: SweepGrid): void {
  checkGridSize(new Set(g.batches).size, new Set(g.workers).size, new Set(g.seeds).size);
  const positiveInts = (name: string, xs: number[]) => {
    if (xs.length === 0) throw new SweepConfigError(`${name}: give at least one value`);
    for (const x of xs) if (!Number.isInteger(x) || x < 1) throw new SweepConfigError(`${name}: expected positive integers, got ${x}`);
  };
  positiveInts('--batch', g.batches);
  positiveInts(s.fleet === 'simulated' ? '--simulate-workers' : '--workers', g.workers);
  positiveInts('--seeds', g.seeds);
  if (!(s.targetAccuracy > 0 && s.targetAccuracy <= 1)) throw new SweepConfigError(`--target-accuracy must be in (0, 1], got ${s.targetAccuracy}`);
  if (!Number.isInteger(s.maxSteps) || s.maxSteps < 1) throw new SweepConfigError(`--max-steps must be a positive integer, got ${s.maxSteps}`);
  for (const b of g.batches) {
    for (const w of g.workers) {
      if (w > b) throw new SweepConfigError(`batch ${b} cannot be split over ${w} workers: every worker needs at least one example`);
    }
  }
  if (s.adaptiveBatch && s.adaptiveBatch.maxBatch < Math.max(...g.batches)) {
    throw new SweepConfigError(`--max-batch (${s.adaptiveBatch.maxBatch}) is below the largest starting batch (${Math.max(...g.batches)})`);
  }
}
