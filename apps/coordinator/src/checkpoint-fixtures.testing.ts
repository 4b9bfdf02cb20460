import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOptimizer } from '@shardgrad/trainer';
import type { TrainingCheckpoint } from './training-checkpoint.ts';

/** For tests: a small checkpoint of mnist-mlp's run 20260101T000000.000Z-abcdef at step 12. */
export function sample(): TrainingCheckpoint {
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

/** The run.json of the run sample() belongs to. */
export function writeRunJson(run: string): void {
  const ck = sample();
  writeFileSync(join(run, 'run.json'), JSON.stringify({ id: ck.runId, meta: { model: { name: ck.model, schemaHash: ck.schemaHash }, data: { name: ck.dataset } } }));
}

/**
 * For tests: what an attacker or a careless editor does to a training-state file. Frames are read
 * as encodeCheckpoint lays them out: 8-byte magic, u32 header length, JSON header, blobs, and in
 * format 2 a SHA-256 trailer, which an edit leaves as it was.
 */

const MAGIC_LENGTH = 8;

function frame(bytes: Uint8Array): { magic: Buffer; header: Record<string, unknown>; rest: Buffer } {
  const b = Buffer.from(bytes);
  const len = b.readUInt32LE(MAGIC_LENGTH);
  return {
    magic: b.subarray(0, MAGIC_LENGTH),
    header: JSON.parse(b.subarray(MAGIC_LENGTH + 4, MAGIC_LENGTH + 4 + len).toString('utf8')) as Record<string, unknown>,
    rest: b.subarray(MAGIC_LENGTH + 4 + len),
  };
}

function assemble(magic: Buffer, header: Record<string, unknown>, rest: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  return new Uint8Array(Buffer.concat([magic, len, json, rest]));
}

/** The file with its JSON header changed by `edit` and nothing else. */
export function editHeader(bytes: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const { magic, header, rest } = frame(bytes);
  edit(header);
  return assemble(magic, header, rest);
}

/** A format-2 file rewritten as format 1 wrote it: the blobs' SHA-256 in the header, no trailer. */
export function asFormat1(bytes: Uint8Array): Uint8Array {
  const { header, rest } = frame(bytes);
  const blobs = rest.subarray(0, rest.length - 32);
  return assemble(Buffer.from('SGCKPT1\n', 'latin1'), { ...header, format: 1, sha256: createHash('sha256').update(blobs).digest('hex') }, blobs);
}
