/**
 * Symmetric 8-bit quantisation with one float32 scale per block of values, for the int8 wire
 * encoding of gradients. Per block rather than per tensor because one large entry (a bias, an
 * outlier row) would otherwise flatten every small value of a big weight matrix to zero; at 256
 * values a block the scales add 1.6% to the bytes.
 *
 * q = round(x / s) in [−127, 127] with s = max|x| / 127 over the block, decoded as q · s. −128 is
 * never written, so the code is symmetric and decoding needs no special case. A block holding NaN
 * or ±Infinity gets a non-finite scale and so decodes to non-finite values: the coordinator refuses
 * those as it refuses a non-finite float32 gradient.
 */

export const DEFAULT_INT8_BLOCK = 256;
/** Bounds a decoder accepts for the block size; anything else is a forged payload. */
export const MAX_INT8_BLOCK = 1 << 16;

export const int8BlockCount = (n: number, block: number) => Math.ceil(n / block);

/**
 * Quantises `src` into `q` and `scales` (one per block); when `decoded` is given it receives what
 * the receiver will reconstruct, for error feedback.
 */
export function encodeInt8(src: Float32Array, block: number, q: Int8Array, scales: Float32Array, decoded?: Float32Array): void {
  for (let b = 0, start = 0; start < src.length; b++, start += block) {
    const end = Math.min(src.length, start + block);
    let max = 0;
    for (let i = start; i < end; i++) {
      const a = Math.abs(src[i]!);
      // `a > max` is false for NaN: test for it explicitly so the block's scale carries it.
      if (a > max || a !== a) max = a;
      if (max !== max) break;
    }
    const scale = Math.fround(max / 127);
    scales[b] = scale;
    // Zero blocks (and a zero scale) quantise to zeros; non-finite ones to zeros × a non-finite scale.
    const inv = scale > 0 && Number.isFinite(scale) ? 1 / scale : 0;
    for (let i = start; i < end; i++) {
      let v = Math.round(src[i]! * inv);
      if (v > 127) v = 127;
      else if (v < -127) v = -127;
      q[i] = v;
      if (decoded) decoded[i] = v * scale;
    }
  }
}

export function decodeInt8(q: Int8Array, scales: Float32Array, block: number, out: Float32Array): void {
  for (let b = 0, start = 0; start < q.length; b++, start += block) {
    const end = Math.min(q.length, start + block);
    const s = scales[b]!;
    for (let i = start; i < end; i++) out[i] = q[i]! * s;
  }
}
