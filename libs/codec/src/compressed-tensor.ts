/**
 * Lossy wire encodings of a float32 tensor (gradients only: see docs/compression.md). Each is one
 * msgpack item that names its encoding, so a payload stays self-describing and a coordinator can
 * take raw and compressed results from different workers in the same round:
 *
 *   raw   [shape, dtype, bytes]                          (tensor-codec.ts)
 *   fp16  [shape, 'float32', halves, 'fp16']             2 bytes a value
 *   int8  [shape, 'float32', int8s, 'int8', block, scales]  1 byte a value + a float32 per block
 *
 * Decoding always yields float32, so validation and aggregation never see the difference.
 */
import { decodeHalf, encodeHalf } from './half.ts';
import { DEFAULT_INT8_BLOCK, MAX_INT8_BLOCK, decodeInt8, encodeInt8, int8BlockCount } from './int8-blocks.ts';

export const WIRE_ENCODINGS = ['none', 'fp16', 'int8'] as const;
export type WireEncoding = (typeof WIRE_ENCODINGS)[number];

/** A float32 tensor already compressed, ready for encodeTensors. */
export interface CompressedTensor {
  shape: number[];
  encoding: 'fp16' | 'int8';
  /** Halves (fp16) or int8 codes, as bytes. */
  bytes: Uint8Array;
  /** int8 only: values per scale, and the scales. */
  block?: number;
  scales?: Float32Array;
}

/**
 * Compresses one float32 tensor. `decoded`, when given (same length), receives exactly what the
 * receiver will reconstruct, so error feedback can keep the residual without decoding again.
 */
export function compressTensor(shape: number[], data: Float32Array, encoding: 'fp16' | 'int8', decoded?: Float32Array, block = DEFAULT_INT8_BLOCK): CompressedTensor {
  if (encoding === 'fp16') {
    const halves = new Uint16Array(data.length);
    encodeHalf(data, halves, decoded);
    return { shape, encoding, bytes: new Uint8Array(halves.buffer) };
  }
  const q = new Int8Array(data.length);
  const scales = new Float32Array(int8BlockCount(data.length, block));
  encodeInt8(data, block, q, scales, decoded);
  return { shape, encoding, bytes: new Uint8Array(q.buffer), block, scales };
}

/** The msgpack item of a compressed tensor (see the layout above). */
export function compressedItem(t: CompressedTensor): unknown[] {
  if (t.encoding === 'fp16') return [t.shape, 'float32', t.bytes, 'fp16'];
  const scales = t.scales!;
  return [t.shape, 'float32', t.bytes, 'int8', t.block, new Uint8Array(scales.buffer, scales.byteOffset, scales.byteLength)];
}

/**
 * Decodes the tail of a compressed item (everything after [shape, 'float32', bytes]) into float32
 * values, or says why it cannot: a string, which the caller wraps as a CodecError with the tensor's index.
 */
export function decompressItem(n: number, blob: Uint8Array, rest: readonly unknown[]): Float32Array | string {
  const [encoding, block, scaleBytes] = rest;
  if (encoding === 'fp16') {
    if (rest.length !== 1) return 'fp16 item has extra fields';
    if (blob.byteLength !== n * 2) return `fp16 data of ${n} values needs ${n * 2} bytes, got ${blob.byteLength}`;
    // Copied: msgpackr's views sit at odd offsets, where a Uint16Array cannot start.
    const halves = new Uint16Array(n);
    new Uint8Array(halves.buffer).set(blob);
    const out = new Float32Array(n);
    decodeHalf(halves, out);
    return out;
  }
  if (encoding === 'int8') {
    if (rest.length !== 3) return 'int8 item needs [encoding, block, scales]';
    if (typeof block !== 'number' || !Number.isInteger(block) || block < 1 || block > MAX_INT8_BLOCK) return `int8 block size ${String(block)} is not an integer in 1..${MAX_INT8_BLOCK}`;
    if (blob.byteLength !== n) return `int8 data of ${n} values needs ${n} bytes, got ${blob.byteLength}`;
    if (!(scaleBytes instanceof Uint8Array)) return 'int8 scales are not binary';
    const blocks = int8BlockCount(n, block);
    if (scaleBytes.byteLength !== blocks * 4) return `int8 needs ${blocks} float32 scales (${blocks * 4} bytes), got ${scaleBytes.byteLength} bytes`;
    const scales = new Float32Array(blocks);
    new Uint8Array(scales.buffer).set(scaleBytes);
    // A negative scale is never written (it is max|x| / 127); NaN and ±Infinity pass here and
    // decode to non-finite values, which the coordinator refuses as 'not-finite' like any other.
    for (let b = 0; b < blocks; b++) if (scales[b]! < 0) return `int8 scale ${b} is negative (${scales[b]})`;
    const q = new Int8Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
    const out = new Float32Array(n);
    decodeInt8(q, scales, block, out);
    return out;
  }
  return `unknown encoding ${String(encoding).slice(0, 20)}`;
}
