/**
 * The calibration step: every candidate backend computes the same shard at the same weights; the
 * cpu backend's gradient is the reference, and the time per shard is the speed the tab reports.
 */
import type { TensorData } from '@shardgrad/codec';
import type { ShardComputer } from '@shardgrad/trainer';
import type { BackendCalibration, BrowserBackend } from './compute-api.ts';
import { flatten, gradientsMatch, relativeError } from './gradient-match.ts';

/** Rows per calibration shard at most: enough to time, small enough that the cpu reference is quick. */
export const CALIBRATION_MAX_ROWS = 64;
/** Timed runs after the warm-up (shader compilation, wasm start); the median is reported. */
export const CALIBRATION_RUNS = 3;
/**
 * A run this long is timed well enough once: repeats only smooth out the noise of short runs, and
 * on a slow backend (a software GPU, an old phone) they would triple a long wait.
 */
export const ONE_RUN_ENOUGH_MS = 250;
/** Every backend's dropout draws the same mask during calibration (seedDropout); any fixed seed does. */
export const CALIBRATION_DROPOUT_SEED = 1;

export interface CalibrationShard {
  indices: Uint32Array;
  /** Weights every backend starts from, so their gradients are comparable. */
  weights: TensorData[];
  /** The cpu backend's gradient, flattened. */
  reference: Float32Array;
  /** Runs that augment need a seed; any fixed one does, as long as every backend uses the same. */
  augmentSeed: number;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Runs `work` with the calibration's fixed dropout masks, so every backend's gradient is comparable
 * with the cpu reference; training draws fresh masks again afterwards, whatever happens.
 */
export async function withCalibrationMasks<T>(computer: ShardComputer, work: () => T | Promise<T>): Promise<T> {
  computer.seedDropout(CALIBRATION_DROPOUT_SEED);
  try {
    return await work();
  } finally {
    computer.seedDropout(undefined);
  }
}

/**
 * Times `computer` on the shard (one warm-up, then CALIBRATION_RUNS timed) and compares its
 * gradient with the reference. The warm-up gradient is the one compared: a backend must be right
 * the first time too.
 */
export async function measureShard(
  backend: BrowserBackend,
  computer: ShardComputer,
  shard: CalibrationShard,
  now: () => number = () => performance.now(),
): Promise<BackendCalibration> {
  // As in training: WebGPU reads asynchronously, the others synchronously.
  const run = (i: Uint32Array) => (backend === 'webgpu' ? computer.computeAsync(i, shard.augmentSeed) : computer.compute(i, shard.augmentSeed));
  computer.setWeights(shard.weights);
  const times: number[] = [];
  const first = await withCalibrationMasks(computer, async () => {
    const gradient = await run(shard.indices);
    for (let i = 0; i < CALIBRATION_RUNS; i++) {
      const t0 = now();
      await run(shard.indices);
      times.push(now() - t0);
      if (times[0]! >= ONE_RUN_ENOUGH_MS) break;
    }
    return gradient;
  });
  const error = relativeError(flatten(first.grads), shard.reference);
  const ms = Math.max(median(times), 1e-3);
  const matches = gradientsMatch(flatten(first.grads), shard.reference);
  return {
    backend,
    available: true,
    samplesPerSecond: (shard.indices.length / ms) * 1000,
    relativeError: error,
    matches,
    ...(matches ? {} : { error: `gradient differs from cpu by ${error.toExponential(2)} (relative)` }),
  };
}

/** The backend to train on: the pinned one if it passed, else the fastest that matched cpu. */
export function chooseBackend(results: readonly BackendCalibration[], pinned?: BrowserBackend): BackendCalibration {
  const good = results.filter((r) => r.available && r.matches && r.samplesPerSecond !== undefined);
  const pin = pinned && good.find((r) => r.backend === pinned);
  if (pin) return pin;
  const best = [...good].sort((a, b) => b.samplesPerSecond! - a.samplesPerSecond!)[0];
  if (!best) throw new Error('no backend computed gradients that match the cpu backend');
  return best;
}
