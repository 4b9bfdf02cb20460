import type { GradientEngine } from './gradient-engine.ts';

/** Samples per calibration pass: enough to time, small enough to cost little at start-up. */
const CALIBRATION_SAMPLES = 64;

/**
 * Warms the engine up and times it, before the worker says it is ready. The first gradient of a
 * process pays for JIT compilation and kernel set-up; without this pass it would land in the first
 * round, which would then both run late and mislead the coordinator's speed estimate. The second,
 * warm pass gives the speed the worker announces, so the very first split is already by speed.
 * Returns samples per second (stretched by `slowdown`, like every shard), or undefined if the
 * model's step cannot run on a bare slice of the training set.
 */
export async function calibrate(
  engine: GradientEngine,
  o: { trainSize: number; batch: number; slowdown?: number },
): Promise<number | undefined> {
  const n = Math.min(CALIBRATION_SAMPLES, o.batch, o.trainSize);
  if (n < 1) return undefined;
  const indices = Uint32Array.from({ length: n }, (_, i) => i);
  try {
    await engine.compute(indices, 0, 0);
    const t0 = performance.now();
    const g = await engine.compute(indices, 0, 0);
    const ms = (performance.now() - t0) * Math.max(1, o.slowdown ?? 1);
    return ms > 0 ? (g.count / ms) * 1000 : undefined;
  } catch {
    return undefined;
  }
}
