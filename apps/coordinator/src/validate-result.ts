import { CodecError, asBytes, decodeTensorsWithEncodings, type TensorData, type TensorSpec } from '@shardgrad/codec';
import { sumOfSquares } from '@shardgrad/trainer';
import { ProtocolError, resultHeaderSchema, type ResultEncoding, type ResultHeader } from '@shardgrad/protocol';
import { metricBounds, type ModelDefinition } from '@shardgrad/models';
import type { PoolMember } from './worker-pool.ts';

/** A check a result must pass before it counts (spot checks recompute the shard here). */
export type ResultCheck = (
  member: PoolMember,
  header: ResultHeader,
  grads: TensorData[],
) => { ok: true } | { ok: false; reason: 'spot-check-mismatch'; message: string };

export interface Expectation {
  runId: string;
  schemaHash: string;
  specs: readonly TensorSpec[];
  maxPayloadBytes: number;
}

export interface ValidResult {
  header: ResultHeader;
  grads: TensorData[];
  /** How the gradients travelled (the header's word, checked against the payload) and the payload's size. */
  encoding: ResultEncoding;
  bytes: number;
  /** Σ g² of each tensor (float64): the finiteness check's by-product, which the noise scale reuses. */
  sumSquares: number[];
}

/**
 * Checks a submission before it can touch the aggregate: header schema, run, model schema,
 * size, decodability, every tensor's shape and dtype, and that every value is finite.
 * Round/shard bookkeeping (stale, duplicate) is the round's job, since only it knows the state.
 */
export function validateResult(rawHeader: unknown, rawPayload: unknown, expect: Expectation): ValidResult {
  const parsed = resultHeaderSchema.safeParse(rawHeader);
  if (!parsed.success) {
    // A NaN loss travels as null in the header's JSON: an honest worker whose model diverged, not a garbled message.
    const loss = (rawHeader as { loss?: unknown } | null)?.loss;
    if (loss === null || (typeof loss === 'number' && !Number.isFinite(loss))) {
      throw new ProtocolError('not-finite', 'the loss is NaN or infinite: the model diverged on this shard (is the learning rate too high?)');
    }
    throw new ProtocolError('malformed', `bad result header: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const header = parsed.data;
  if (header.runId !== expect.runId) throw new ProtocolError('wrong-run', `run ${header.runId} is not the current run`);
  if (header.schemaHash !== expect.schemaHash) {
    throw new ProtocolError('wrong-schema', `schema ${header.schemaHash} differs from the model's ${expect.schemaHash}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = asBytes(rawPayload);
  } catch {
    throw new ProtocolError('malformed', 'gradient payload is not binary');
  }
  if (bytes.byteLength > expect.maxPayloadBytes) {
    throw new ProtocolError('oversized', `payload of ${bytes.byteLength} bytes exceeds ${expect.maxPayloadBytes}`);
  }
  let grads: TensorData[];
  const encoding = header.encoding ?? 'none';
  try {
    // Compressed tensors decode to float32 here, so every check below and the aggregate are unchanged.
    const decoded = decodeTensorsWithEncodings(bytes, expect.maxPayloadBytes);
    grads = decoded.tensors;
    // Self-describing payload, honest header: what a worker's view shows is what its link carries.
    const other = decoded.encodings.find((e) => e !== 'none' && e !== encoding);
    if (other) throw new CodecError(`the header says ${encoding}, the payload holds ${other} tensors`);
    // A compressing worker compresses every gradient (only state tensors travel raw), so at least one is.
    if (encoding !== 'none' && !decoded.encodings.includes(encoding)) throw new CodecError(`the header says ${encoding}, the payload holds no ${encoding} tensor`);
  } catch (e) {
    throw new ProtocolError('malformed', e instanceof CodecError ? e.message : 'undecodable payload');
  }
  if (grads.length !== expect.specs.length) {
    throw new ProtocolError('wrong-count', `expected ${expect.specs.length} tensors, got ${grads.length}`);
  }
  grads.forEach((g, i) => {
    const spec = expect.specs[i]!;
    if (g.dtype !== spec.dtype) throw new ProtocolError('wrong-dtype', `tensor ${i} is ${g.dtype}, expected ${spec.dtype}`);
    if (g.shape.length !== spec.shape.length || g.shape.some((d, j) => d !== spec.shape[j])) {
      throw new ProtocolError('wrong-shape', `tensor ${i} has shape [${g.shape}], expected [${spec.shape}]`);
    }
  });
  const sumSquares = grads.map((g, i) => {
    const s = sumOfSquares(g.data);
    // Non-finite only where a NaN or ±∞ is (sumOfSquares cannot overflow on float32 values).
    if (!Number.isFinite(s)) {
      const j = g.data.findIndex((v) => !Number.isFinite(v));
      throw new ProtocolError('not-finite', `tensor ${i} holds ${g.data[j]} at ${j}`);
    }
    return s;
  });
  return { header, grads, encoding, bytes: bytes.byteLength, sumSquares };
}

/**
 * A supervised model's result reports exactly the model's metrics: one missing would be a hole in
 * the round's mean, and one it does not compute would reach the dashboard and the run log as if it
 * did. Custom steps (GAN, policy gradient) name their own, and are not checked.
 */
export function missingMetrics(def: Pick<ModelDefinition, 'metrics' | 'customStep'>, metrics: Record<string, number> | undefined): string | undefined {
  if (def.customStep) return undefined;
  const reported = metrics ?? {};
  const missing = Object.keys(def.metrics).filter((k) => typeof reported[k] !== 'number');
  if (missing.length) return `result lacks the metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  const foreign = Object.keys(reported).filter((k) => !Object.hasOwn(def.metrics, k));
  return foreign.length ? `result reports ${foreign.join(', ')}, which this model does not compute (its metrics: ${Object.keys(def.metrics).join(', ') || 'none'})` : undefined;
}

/** How far below 0 a float32 loss of a model whose loss cannot be negative may round. */
const LOSS_SLACK = 1e-6;

/**
 * A loss or metric that the model cannot produce: a negative cross-entropy or squared error, an
 * accuracy outside [0, 1]. Such results came from WebGPU workers whose GPU memory ran out, Dawn's
 * errors unread, with finite gradients of sane size that every other check let through.
 * Custom steps (GAN, policy gradient) have losses of either sign, and are not checked.
 */
export function impossibleValues(def: Pick<ModelDefinition, 'metrics' | 'customStep'>, header: Pick<ResultHeader, 'loss' | 'metrics'>): string | undefined {
  if (def.customStep) return undefined;
  if (header.loss < -LOSS_SLACK) return `a loss of ${header.loss}, which this model's loss cannot be (it is never negative): is the worker's device failing?`;
  for (const [name, fn] of Object.entries(def.metrics)) {
    const bounds = metricBounds(fn);
    const v = header.metrics?.[name];
    if (!bounds || v === undefined || (v >= bounds[0] - LOSS_SLACK && v <= bounds[1] + LOSS_SLACK)) continue;
    return `${name} of ${v}, outside the [${bounds[0]}, ${bounds[1]}] it can take: is the worker's device failing?`;
  }
  return undefined;
}

