import { Packr, Unpackr } from 'msgpackr';
import { msgpackSizeProblem } from './msgpack-scan.ts';
import { compressedItem, decompressItem, type CompressedTensor, type WireEncoding } from './compressed-tensor.ts';

export type WireDType = 'float32' | 'int32';

/** A tensor as plain data: what crosses threads, processes and sockets. No tfjs here. */
export interface TensorData {
  shape: number[];
  dtype: WireDType;
  data: Float32Array | Int32Array;
}

export class CodecError extends Error {
  constructor(message: string) {
    super(`codec: ${message}`);
    this.name = 'CodecError';
  }
}

/** Bumped when the byte layout changes; old payloads are then refused, not misread. */
const FORMAT_VERSION = 1;
/** No tensor has more dimensions than this; a longer shape is an attack or a bug. */
const MAX_RANK = 8;

const packr = new Packr({ useRecords: false, structuredClone: false });
// Safe for untrusted input: no records, no structured clone, integers as plain numbers.
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true, int64AsType: 'number' });

const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Encodes tensors as one msgpack buffer; each tensor's data is one binary blob, never JSON numbers.
 * Entries may be pre-compressed float32 tensors (compressed-tensor.ts), which decode back to float32.
 */
export function encodeTensors(tensors: readonly (TensorData | CompressedTensor)[]): Uint8Array {
  const items = tensors.map((t) => {
    if ('encoding' in t) return compressedItem(t);
    if (elementCount(t.shape) !== t.data.length) {
      throw new CodecError(`shape [${t.shape}] needs ${elementCount(t.shape)} values, data has ${t.data.length}`);
    }
    return [t.shape, t.dtype, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)];
  });
  return packr.pack([FORMAT_VERSION, items]);
}

function isShape(v: unknown): v is number[] {
  return (
    Array.isArray(v) &&
    v.length <= MAX_RANK &&
    v.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 2 ** 31)
  );
}

/**
 * Decodes what encodeTensors wrote. Any other input throws CodecError; it never returns a half-valid result.
 * Data is copied into fresh aligned arrays, because msgpackr hands out views at odd byte offsets.
 */
export function decodeTensors(bytes: Uint8Array, maxBytes = Infinity): TensorData[] {
  return decodeTensorsWithEncodings(bytes, maxBytes).tensors;
}

/** decodeTensors, plus the wire encoding each tensor arrived in ('none' for raw float32/int32). */
export function decodeTensorsWithEncodings(bytes: Uint8Array, maxBytes = Infinity): { tensors: TensorData[]; encodings: WireEncoding[] } {
  if (!(bytes instanceof Uint8Array)) throw new CodecError('payload is not binary');
  if (bytes.byteLength > maxBytes) throw new CodecError(`payload of ${bytes.byteLength} bytes exceeds ${maxBytes}`);
  // Lengths are checked against the buffer before msgpackr allocates for them (msgpack-scan.ts).
  const problem = msgpackSizeProblem(bytes);
  if (problem) throw new CodecError(`malformed msgpack (${problem})`);
  let root: unknown;
  try {
    root = unpackr.unpack(bytes);
  } catch (e) {
    throw new CodecError(`malformed msgpack (${(e as Error).message})`);
  }
  if (!Array.isArray(root) || root.length !== 2) throw new CodecError('not a tensor list');
  if (root[0] !== FORMAT_VERSION) throw new CodecError(`format version ${String(root[0])}, expected ${FORMAT_VERSION}`);
  const items = root[1];
  if (!Array.isArray(items)) throw new CodecError('tensor list missing');
  const encodings: WireEncoding[] = [];
  const tensors = items.map((item: unknown, i: number): TensorData => {
    // Raw items have 3 fields; compressed ones (compressed-tensor.ts) name their encoding in the 4th.
    if (!Array.isArray(item) || (item.length !== 3 && item.length !== 4 && item.length !== 6)) {
      throw new CodecError(`tensor ${i} is not [shape, dtype, data] or a compressed tensor`);
    }
    const [shape, dtype, blob, ...rest] = item as [unknown, unknown, unknown, ...unknown[]];
    if (!isShape(shape)) throw new CodecError(`tensor ${i} has an invalid shape`);
    if (dtype !== 'float32' && dtype !== 'int32') throw new CodecError(`tensor ${i} has unsupported dtype ${String(dtype)}`);
    if (!(blob instanceof Uint8Array)) throw new CodecError(`tensor ${i} data is not binary`);
    const n = elementCount(shape);
    if (rest.length > 0) {
      if (dtype !== 'float32') throw new CodecError(`tensor ${i}: only float32 tensors may be compressed`);
      const data = decompressItem(n, blob, rest);
      if (typeof data === 'string') throw new CodecError(`tensor ${i}: ${data}`);
      encodings.push(rest[0] as WireEncoding);
      return { shape: [...shape], dtype, data };
    }
    if (blob.byteLength !== n * 4) throw new CodecError(`tensor ${i}: shape [${shape}] needs ${n * 4} bytes, got ${blob.byteLength}`);
    const copy = new Uint8Array(blob.byteLength);
    copy.set(blob);
    const data = dtype === 'float32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
    encodings.push('none');
    return { shape: [...shape], dtype, data };
  });
  return { tensors, encodings };
}
