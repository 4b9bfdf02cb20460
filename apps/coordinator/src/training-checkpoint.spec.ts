import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOptimizer } from '@shardgrad/trainer';
import {
  TRAINING_STATE_FILE,
  decodeCheckpoint,
  encodeCheckpoint,
  locateTrainingCheckpoint,
  readTrainingCheckpoint,
  stateDigest,
  writeTrainingCheckpoint,
  type TrainingCheckpoint,
} from './training-checkpoint.ts';
import { loadCheckpointFor } from './resume.ts';

function sample(): TrainingCheckpoint {
  const params = [
    { shape: [2, 3], dtype: 'float32' as const, data: Float32Array.from([1.5, -2, Math.PI, 1e-30, -0, 7]) },
    { shape: [3], dtype: 'float32' as const, data: Float32Array.from([0.1, 0.2, 0.3]) },
  ];
  const opt = createOptimizer({ name: 'adam', learningRate: 0.01 });
  opt.apply(params.map((p) => p.data.slice() as Float32Array), params.map((p) => Float32Array.from(p.data, (v) => v / 3)));
  return {
    runId: '20260101T000000.000Z-abcdef',
    model: 'mnist-mlp',
    dataset: 'mnist',
    schemaHash: '0123456789abcdef',
    batch: 64,
    seed: 7,
    version: 12,
    position: { step: 12, epoch: 1, offset: 128 },
    aggregation: { name: 'median', options: { f: 1 } },
    params,
    optimizer: opt.getState(),
  };
}

describe('training checkpoints', () => {
  it('round-trip bit for bit: parameters, optimizer slots, position, seed', () => {
    const ck = sample();
    const back = decodeCheckpoint(encodeCheckpoint(ck));
    expect(back.position).toEqual(ck.position);
    expect(back.aggregation).toEqual(ck.aggregation);
    expect({ ...back, params: [], optimizer: null }).toEqual({ ...ck, params: [], optimizer: null });
    back.params.forEach((p, i) => expect(Buffer.from(p.data.buffer).equals(Buffer.from(ck.params[i]!.data.buffer))).toBe(true));
    expect(stateDigest(back.params, back.optimizer)).toBe(stateDigest(ck.params, ck.optimizer));
    expect(back.optimizer.step).toBe(1);
    expect(Object.keys(back.optimizer.slots).sort()).toEqual(['m', 'v']);
  });

  it('refuses a damaged or truncated file with a clear error', () => {
    const bytes = encodeCheckpoint(sample());
    const flipped = bytes.slice();
    flipped[flipped.length - 5]! ^= 0xff;
    expect(() => decodeCheckpoint(flipped)).toThrow(/checksum mismatch/);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 10))).toThrow(/truncated/);
    expect(() => decodeCheckpoint(new Uint8Array([1, 2, 3]))).toThrow(/bad magic/);
  });

  it('writes atomically and finds the latest checkpoint of a run directory', async () => {
    const run = mkdtempSync(join(tmpdir(), 'sg-ck-'));
    for (const step of [4, 8]) {
      mkdirSync(join(run, 'checkpoints', `step-${String(step).padStart(10, '0')}`), { recursive: true });
      await writeTrainingCheckpoint(join(run, 'checkpoints', `step-${String(step).padStart(10, '0')}`, TRAINING_STATE_FILE), { ...sample(), position: { step, epoch: 0, offset: step * 64 } });
    }
    // A directory without a state file (a model-only checkpoint) is skipped.
    mkdirSync(join(run, 'checkpoints', `step-${String(9).padStart(10, '0')}`));
    const found = locateTrainingCheckpoint(run);
    expect(readTrainingCheckpoint(found.file).position.step).toBe(8);
    expect(readdirSync(join(run, 'checkpoints', 'step-0000000008'))).toEqual([TRAINING_STATE_FILE]);
    writeFileSync(join(run, 'junk'), 'x');
    expect(() => locateTrainingCheckpoint(join(run, 'missing'))).toThrow(/no such file/);
    expect(() => locateTrainingCheckpoint(mkdtempSync(join(tmpdir(), 'sg-empty-')))).toThrow(/no checkpoint/);
  });

  it('goes on from the checkpoint before when the newest of a run cannot be read, and says so', async () => {
    const run = mkdtempSync(join(tmpdir(), 'sg-ck-damaged-'));
    const dir = (step: number) => join(run, 'checkpoints', `step-${String(step).padStart(10, '0')}`);
    for (const step of [4, 8]) {
      mkdirSync(dir(step), { recursive: true });
      await writeTrainingCheckpoint(join(dir(step), TRAINING_STATE_FILE), { ...sample(), position: { step, epoch: 0, offset: step * 64 } });
    }
    writeFileSync(join(dir(8), TRAINING_STATE_FILE), 'cut short');
    const loaded = loadCheckpointFor(run);
    expect(loaded.checkpoint.position.step).toBe(4);
    expect(loaded.skipped).toEqual([{ file: join(dir(8), TRAINING_STATE_FILE), reason: expect.stringMatching(/not a shardgrad training checkpoint/) }]);
    // Named directly, a damaged state is refused, not replaced by another.
    expect(() => loadCheckpointFor(dir(8))).toThrow(/not a shardgrad training checkpoint/);
    writeFileSync(join(dir(4), TRAINING_STATE_FILE), 'also bad');
    expect(() => loadCheckpointFor(run)).toThrow(/no checkpoint in it can be read/);
  });
});
