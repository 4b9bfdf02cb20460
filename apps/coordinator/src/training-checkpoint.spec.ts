import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRAINING_STATE_FILE, decodeCheckpoint, encodeCheckpoint, readTrainingCheckpoint, stateDigest, writeTrainingCheckpoint } from './training-checkpoint.ts';
import { loadCheckpointFor, locateTrainingCheckpoint } from './resume.ts';
import { asFormat1, editHeader, sample, writeRunJson } from './checkpoint-fixtures.testing.ts';

const root = mkdtempSync(join(tmpdir(), 'sg-ck-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

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

  it('an edited header is a damaged file: the checksum covers it', () => {
    const edited = editHeader(encodeCheckpoint(sample()), (h) => {
      (h.position as { step: number }).step = 13;
    });
    expect(() => decodeCheckpoint(edited)).toThrow(/checksum mismatch/);
  });

  it('reads format 1 (header outside the checksum), checking its header field by field', () => {
    const v1 = asFormat1(encodeCheckpoint(sample()));
    expect(stateDigest(decodeCheckpoint(v1).params, decodeCheckpoint(v1).optimizer)).toBe(stateDigest(sample().params, sample().optimizer));
    const refused = (edit: (h: Record<string, unknown>) => void) => () => decodeCheckpoint(editHeader(v1, edit));
    expect(refused((h) => ((h.position as { step: number }).step = -5))).toThrow('not a shardgrad training checkpoint: position.step must be a whole number ≥ 0, got -5');
    expect(refused((h) => delete h.optimizer)).toThrow("optimizer must be the optimizer's state {name, step, learningRate, slots}, got nothing");
    expect(refused((h) => (h.baseLearningRate = null))).toThrow('baseLearningRate must be a number > 0, got null');
    expect(refused((h) => ((h.optimizer as { name: string }).name = 'bogus'))).toThrow('optimizer.name must be one of sgd, momentum, rmsprop, adam, got "bogus"');
    expect(refused((h) => (h.runId = '../elsewhere'))).toThrow('runId must be a run id, got "../elsewhere"');
    expect(refused((h) => (h.format = 7))).toThrow('format 7, which this shardgrad does not read');
    expect(refused((h) => ((h.optimizer as { slots: [string, number][] }).slots[0]![1] = 1))).toThrow(/lists 3 optimizer slot tensors, the file holds 4/);
  });

  it('refuses an empty file, another format and non-finite values plainly', () => {
    expect(() => decodeCheckpoint(new Uint8Array())).toThrow('not a shardgrad training checkpoint: an empty file');
    expect(() => decodeCheckpoint(Buffer.from('SGCKPT3\n\0\0\0\0', 'latin1'))).toThrow(/format 3, newer than this shardgrad reads/);
    const ck = sample();
    ck.params[1]!.data[0] = Number.NaN;
    expect(() => decodeCheckpoint(encodeCheckpoint(ck))).toThrow(/parameters: tensor 1 is not all finite/);
  });

  it('writes atomically and finds the latest checkpoint of a run directory', async () => {
    const run = mkdtempSync(join(root, 'ck-'));
    writeRunJson(run);
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
    expect(() => locateTrainingCheckpoint(mkdtempSync(join(root, 'empty-')))).toThrow(/neither a run directory \(no run.json\) nor a checkpoint/);
    const emptyRun = mkdtempSync(join(root, 'empty-run-'));
    writeRunJson(emptyRun);
    expect(() => locateTrainingCheckpoint(emptyRun)).toThrow(/no checkpoint with a training state/);
  });

  it('goes on from the checkpoint before when the newest of a run cannot be read, and says so', async () => {
    const run = mkdtempSync(join(root, 'ck-damaged-'));
    writeRunJson(run);
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
    expect(() => loadCheckpointFor(dir(8))).toThrow(`--resume ${dir(8)}: ${join(dir(8), TRAINING_STATE_FILE)}: not a shardgrad training checkpoint: bad magic`);
    writeFileSync(join(dir(4), TRAINING_STATE_FILE), 'also bad');
    expect(() => loadCheckpointFor(run)).toThrow(/no checkpoint in it can be read/);
  });
});
