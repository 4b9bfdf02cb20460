import { describe, expect, it } from 'vitest';
import type { ShardComputer } from '@shardgrad/trainer';
import { CALIBRATION_DROPOUT_SEED, CALIBRATION_RUNS, ONE_RUN_ENOUGH_MS, chooseBackend, measureShard, median, type CalibrationShard } from './calibration.ts';
import type { BackendCalibration } from './compute-api.ts';

/** A computer whose gradient and duration are scripted; the clock advances by the scripted time. */
function scripted(grad: number[], msPerRun: number) {
  let clock = 0;
  let runs = 0;
  const seeds: Array<number | undefined> = [];
  const computer = {
    setWeights: () => undefined,
    seedDropout: (seed: number | undefined) => seeds.push(seed),
    compute: () => {
      runs++;
      clock += msPerRun;
      return { grads: [{ shape: [grad.length], dtype: 'float32', data: Float32Array.from(grad) }], state: [], loss: 1, metrics: {}, count: 4 };
    },
  } as unknown as ShardComputer;
  return { computer, now: () => clock, runs: () => runs, seeds };
}

const shard: CalibrationShard = { indices: Uint32Array.from([0, 1, 2, 3]), weights: [], reference: Float32Array.from([1, 2, 3]), augmentSeed: 1 };

describe('backend calibration', () => {
  it('fixes the dropout masks while it computes, and gives training random ones back', async () => {
    const c = scripted([1, 2, 3], 8);
    await measureShard('wasm', c.computer, shard, c.now);
    expect(c.seeds).toEqual([CALIBRATION_DROPOUT_SEED, undefined]);
  });

  it('reports samples/s from the median timed run and whether the gradient matches cpu', async () => {
    const fast = scripted([1, 2, 3], 8);
    const r = await measureShard('wasm', fast.computer, shard, fast.now);
    expect(fast.runs()).toBe(1 + CALIBRATION_RUNS);
    expect(r).toMatchObject({ backend: 'wasm', available: true, matches: true, relativeError: 0 });
    expect(r.samplesPerSecond).toBeCloseTo(4 / 0.008, 6);

    const wrong = scripted([0, 0, 0], 8);
    const bad = await measureShard('webgl', wrong.computer, shard, wrong.now);
    expect(bad).toMatchObject({ matches: false, relativeError: 1 });
    expect(bad.error).toMatch(/differs from cpu/);
  });

  it('times a slow backend once instead of three times', async () => {
    const slow = scripted([1, 2, 3], ONE_RUN_ENOUGH_MS * 2);
    const r = await measureShard('webgl', slow.computer, shard, slow.now);
    expect(slow.runs()).toBe(2);
    expect(r.samplesPerSecond).toBeCloseTo(4 / ((ONE_RUN_ENOUGH_MS * 2) / 1000), 6);
  });

  it('chooses the pinned backend if it passed, else the fastest that matches', () => {
    const rows: BackendCalibration[] = [
      { backend: 'webgpu', available: true, matches: false, samplesPerSecond: 9000 },
      { backend: 'webgl', available: true, matches: true, samplesPerSecond: 500 },
      { backend: 'wasm', available: true, matches: true, samplesPerSecond: 1500 },
      { backend: 'cpu', available: true, matches: true, samplesPerSecond: 300 },
    ];
    expect(chooseBackend(rows).backend).toBe('wasm');
    expect(chooseBackend(rows, 'webgl').backend).toBe('webgl');
    expect(chooseBackend(rows, 'webgpu').backend).toBe('wasm');
    expect(() => chooseBackend([{ backend: 'cpu', available: false }])).toThrow(/no backend/);
    expect(median([5, 1, 3])).toBe(3);
  });
});
