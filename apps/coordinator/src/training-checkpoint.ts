import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTensors, encodeTensors, type TensorData } from '@shardgrad/codec';
import { listCheckpoints, writeFileAtomic } from '@shardgrad/runlog';
import type { OptimizerState } from '@shardgrad/trainer';
import type { AggregationConfig } from './aggregation.ts';

/** Inside each checkpoint directory, beside the tfjs model: what `--resume` needs to go on exactly. */
export const TRAINING_STATE_FILE = 'training-state.bin';
const MAGIC = 'SGCKPT1\n';

/** Where the loop stands: `step` updates applied, the next batch starts at `offset` of `epoch`'s order. */
export interface TrainingPosition {
  step: number;
  epoch: number;
  offset: number;
}

/**
 * Everything that decides the rest of a run. The data order and augmentation are pure functions of
 * (seed, epoch) and dropout of (seed, round), so the position and the seed are the whole RNG state.
 */
/** A --resume that cannot be honoured: no such path, no checkpoint in it, not a checkpoint, another model. */
export class ResumeError extends Error {
  override name = 'ResumeError';
}

export interface TrainingCheckpoint {
  runId: string;
  model: string;
  dataset: string;
  schemaHash: string;
  batch: number;
  seed: number;
  /** The weights version, so tasks after the resume carry the numbers they had before. */
  version: number;
  position: TrainingPosition;
  aggregation?: AggregationConfig;
  /** TrainingState.baseLearningRate (a teacher's set-lr included); absent in older checkpoints. */
  baseLearningRate?: number;
  params: TensorData[];
  optimizer: OptimizerState;
}

interface Header extends Omit<TrainingCheckpoint, 'params' | 'optimizer'> {
  format: 1;
  optimizer: { name: string; step: number; learningRate: number; slots: [string, number][] };
  paramsBytes: number;
  slotsBytes: number;
  sha256: string;
}

/** One self-checking file: magic, header length, JSON header, then the parameters and the optimizer slots as codec blobs. */
export function encodeCheckpoint(ck: TrainingCheckpoint): Uint8Array {
  const params = encodeTensors(ck.params);
  const slotNames = Object.keys(ck.optimizer.slots).sort();
  const slots = encodeTensors(slotNames.flatMap((n) => ck.optimizer.slots[n]!.map((a) => ({ shape: [a.length], dtype: 'float32' as const, data: a }))));
  const { params: _p, optimizer, ...rest } = ck;
  const header: Header = {
    ...rest,
    format: 1,
    optimizer: { name: optimizer.name, step: optimizer.step, learningRate: optimizer.learningRate, slots: slotNames.map((n) => [n, optimizer.slots[n]!.length]) },
    paramsBytes: params.byteLength,
    slotsBytes: slots.byteLength,
    sha256: digest([params, slots]),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(MAGIC.length + 4 + json.length + params.length + slots.length);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  out.set(params, MAGIC.length + 4 + json.length);
  out.set(slots, MAGIC.length + 4 + json.length + params.length);
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array): TrainingCheckpoint {
  const fail = (why: string): never => {
    throw new ResumeError(`not a shardgrad training checkpoint: ${why}`);
  };
  if (bytes.length < MAGIC.length + 4 || Buffer.from(bytes.subarray(0, MAGIC.length)).toString('latin1') !== MAGIC) fail('bad magic');
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  if (start + len > bytes.length) fail('truncated header');
  let h: Header;
  try {
    h = JSON.parse(Buffer.from(bytes.subarray(start, start + len)).toString('utf8')) as Header;
  } catch {
    return fail('unreadable header');
  }
  if (h.format !== 1) fail(`format ${String(h.format)}`);
  const p0 = start + len;
  if (p0 + h.paramsBytes + h.slotsBytes !== bytes.length) fail('truncated data');
  const paramBlob = bytes.subarray(p0, p0 + h.paramsBytes);
  const slotBlob = bytes.subarray(p0 + h.paramsBytes);
  if (digest([paramBlob, slotBlob]) !== h.sha256) fail('checksum mismatch (a damaged file)');
  const flat = decodeTensors(slotBlob);
  const slots: Record<string, Float32Array[]> = {};
  let k = 0;
  for (const [name, count] of h.optimizer.slots) slots[name] = flat.slice(k, (k += count)).map((t) => t.data as Float32Array);
  const { format: _f, paramsBytes: _a, slotsBytes: _b, sha256: _s, optimizer, ...rest } = h;
  return { ...rest, params: decodeTensors(paramBlob), optimizer: { name: optimizer.name, step: optimizer.step, learningRate: optimizer.learningRate, slots } };
}

/** A digest of parameters and optimizer state as they would be written: equal digests, equal bits. */
export function stateDigest(params: readonly TensorData[], optimizer: OptimizerState): string {
  const slotNames = Object.keys(optimizer.slots).sort();
  const slots = slotNames.flatMap((n) => optimizer.slots[n]!.map((a) => ({ shape: [a.length], dtype: 'float32' as const, data: a })));
  return digest([encodeTensors(params), encodeTensors(slots), Buffer.from(JSON.stringify([optimizer.name, optimizer.step, optimizer.learningRate]))]);
}

function digest(parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Written with writeFileAtomic (temp file, fsync, rename): a crash leaves the old file or the new one. */
export async function writeTrainingCheckpoint(path: string, ck: TrainingCheckpoint): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(ck));
}

/**
 * The training states behind `--resume <path>`, the one to use first: a state file, a checkpoint
 * directory, or a run directory (its checkpoints that have one, newest first, so a damaged newest
 * one can give way to the one before).
 */
export function locateTrainingCheckpoints(path: string): { files: string[]; runDir: string } {
  if (!existsSync(path)) throw new ResumeError(`--resume ${path}: no such file or directory`);
  if (statSync(path).isFile()) return { files: [path], runDir: join(path, '..', '..', '..') };
  if (existsSync(join(path, TRAINING_STATE_FILE))) return { files: [join(path, TRAINING_STATE_FILE)], runDir: join(path, '..', '..') };
  const files = listCheckpoints(path)
    .reverse()
    .map((c) => join(c.path, TRAINING_STATE_FILE))
    .filter((f) => existsSync(f));
  if (files.length === 0) throw new ResumeError(`--resume ${path}: no checkpoint with a training state in it (write them with --checkpoint-every)`);
  return { files, runDir: path };
}

/** The training state `--resume <path>` goes on from (see locateTrainingCheckpoints). */
export function locateTrainingCheckpoint(path: string): { file: string; runDir: string } {
  const { files, runDir } = locateTrainingCheckpoints(path);
  return { file: files[0]!, runDir };
}

export function readTrainingCheckpoint(file: string): TrainingCheckpoint {
  return decodeCheckpoint(new Uint8Array(readFileSync(file)));
}
