import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeTensors, encodeTensors, type TensorData } from '@shardgrad/codec';
import { writeFileAtomic } from '@shardgrad/runlog';
import type { OptimizerState } from '@shardgrad/trainer';
import type { AggregationConfig } from './aggregation.ts';
import { blobSizes, headerProblem, headerV1, headerV2, type HeaderV2 } from './checkpoint-header.ts';
import { ResumeError } from './resume-error.ts';

export { ResumeError } from './resume-error.ts';

/** Inside each checkpoint directory, beside the tfjs model: what `--resume` needs to go on exactly. */
export const TRAINING_STATE_FILE = 'training-state.bin';
/** Format 1's header was not covered by its checksum; still read (checked on its schema), no longer written. */
const MAGIC_V1 = 'SGCKPT1\n';
const MAGIC_V2 = 'SGCKPT2\n';
const MAGIC_LENGTH = 8;
const SHA256_BYTES = 32;

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

/**
 * One self-checking file: magic, header length, JSON header, the parameters and the optimizer slots
 * as codec blobs, then a SHA-256 of every byte before it, so an edited header is a damaged file too.
 */
export function encodeCheckpoint(ck: TrainingCheckpoint): Uint8Array {
  const params = encodeTensors(ck.params);
  const slotNames = Object.keys(ck.optimizer.slots).sort();
  const slots = encodeTensors(slotNames.flatMap((n) => ck.optimizer.slots[n]!.map((a) => ({ shape: [a.length], dtype: 'float32' as const, data: a }))));
  const { params: _p, optimizer, ...rest } = ck;
  const header: HeaderV2 = {
    ...rest,
    format: 2,
    optimizer: { name: optimizer.name as HeaderV2['optimizer']['name'], step: optimizer.step, learningRate: optimizer.learningRate, slots: slotNames.map((n) => [n, optimizer.slots[n]!.length]) },
    paramsBytes: params.byteLength,
    slotsBytes: slots.byteLength,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const body = MAGIC_LENGTH + 4 + json.length + params.length + slots.length;
  const out = new Uint8Array(body + SHA256_BYTES);
  out.set(Buffer.from(MAGIC_V2, 'latin1'), 0);
  new DataView(out.buffer).setUint32(MAGIC_LENGTH, json.length, true);
  out.set(json, MAGIC_LENGTH + 4);
  out.set(params, MAGIC_LENGTH + 4 + json.length);
  out.set(slots, MAGIC_LENGTH + 4 + json.length + params.length);
  out.set(createHash('sha256').update(out.subarray(0, body)).digest(), body);
  return out;
}

const fail = (why: string): never => {
  throw new ResumeError(`not a shardgrad training checkpoint: ${why}`);
};

/** Reads format 2 and format 1; refuses anything else, and any header or blob that does not hold up, with why. */
export function decodeCheckpoint(bytes: Uint8Array): TrainingCheckpoint {
  if (bytes.length === 0) fail('an empty file');
  const magic = bytes.length >= MAGIC_LENGTH ? Buffer.from(bytes.subarray(0, MAGIC_LENGTH)).toString('latin1') : '';
  if (magic !== MAGIC_V1 && magic !== MAGIC_V2) {
    return fail(/^SGCKPT\d\n$/.test(magic) ? `format ${magic[6]}, newer than this shardgrad reads` : 'bad magic');
  }
  const v2 = magic === MAGIC_V2;
  if (bytes.length < MAGIC_LENGTH + 4) fail('truncated header');
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC_LENGTH, true);
  const p0 = MAGIC_LENGTH + 4 + len;
  if (p0 > bytes.length) fail('truncated header');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes.subarray(MAGIC_LENGTH + 4, p0)).toString('utf8'));
  } catch {
    return fail('unreadable header');
  }
  const sizes = blobSizes.safeParse(raw);
  if (!sizes.success) return fail(headerProblem(sizes.error, raw));
  const end = p0 + sizes.data.paramsBytes + sizes.data.slotsBytes;
  const expected = end + (v2 ? SHA256_BYTES : 0);
  if (expected > bytes.length) fail('truncated data');
  if (expected < bytes.length) fail(`${bytes.length - expected} bytes after the data`);
  const paramBlob = bytes.subarray(p0, p0 + sizes.data.paramsBytes);
  const slotBlob = bytes.subarray(p0 + sizes.data.paramsBytes, end);
  if (v2 && !Buffer.from(digest([bytes.subarray(0, end)]), 'hex').equals(bytes.subarray(end))) fail('checksum mismatch (a damaged file)');
  const parsed = (v2 ? headerV2 : headerV1).safeParse(raw);
  if (!parsed.success) return fail(headerProblem(parsed.error, raw));
  const h = parsed.data;
  if ('sha256' in h && digest([paramBlob, slotBlob]) !== h.sha256) fail('checksum mismatch (a damaged file)');
  const params = decodeBlob(paramBlob, 'parameters');
  const flat = decodeBlob(slotBlob, 'optimizer slots');
  const slots = splitSlots(flat, h.optimizer.slots, params);
  const { format: _f, paramsBytes: _a, slotsBytes: _b, optimizer, ...rest } = h;
  const { sha256: _s, ...fields } = rest as typeof rest & { sha256?: string };
  return { ...fields, params, optimizer: { name: optimizer.name, step: optimizer.step, learningRate: optimizer.learningRate, slots } };
}

function decodeBlob(blob: Uint8Array, what: string): TensorData[] {
  let tensors: TensorData[];
  try {
    tensors = decodeTensors(blob);
  } catch (e) {
    return fail(`unreadable ${what} (${(e as Error).message})`);
  }
  // Training never keeps a NaN or an infinity (a step that makes one is undone): one here is damage.
  tensors.forEach((t, i) => {
    if (!(t.data instanceof Float32Array) || !t.data.every(Number.isFinite)) fail(`${what}: tensor ${i} is not all finite float32 values`);
  });
  return tensors;
}

/** The slots blob holds each slot's arrays in turn, one per leading parameter tensor, each of that tensor's size. */
function splitSlots(flat: TensorData[], counts: readonly [string, number][], params: readonly TensorData[]): Record<string, Float32Array[]> {
  const total = counts.reduce((s, [, n]) => s + n, 0);
  if (total !== flat.length) fail(`the header lists ${total} optimizer slot tensors, the file holds ${flat.length}`);
  const slots: Record<string, Float32Array[]> = {};
  let k = 0;
  for (const [name, count] of counts) {
    if (count > params.length) fail(`optimizer slot ${name} has ${count} tensors for ${params.length} parameters`);
    slots[name] = flat.slice(k, (k += count)).map((t, i) => {
      if (t.data.length !== params[i]!.data.length) fail(`optimizer slot ${name}[${i}] holds ${t.data.length} values, its parameter ${params[i]!.data.length}`);
      return t.data as Float32Array;
    });
  }
  return slots;
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

export function readTrainingCheckpoint(file: string): TrainingCheckpoint {
  return decodeCheckpoint(new Uint8Array(readFileSync(file)));
}
