/**
 * IEEE 754 binary16 ("half") ⇄ float32, for the fp16 wire encoding of gradients.
 * Encoding rounds to nearest, ties to even (the rounding the float32 → half casts of numpy and
 * CUDA use), subnormals included. Finite values beyond half's range (|x| > 65504) are clamped to
 * ±65504 rather than becoming ±Infinity: a gradient that large is legal in float32, and turning it
 * into a non-finite value would get the whole result refused. NaN and ±Infinity stay what they
 * are, so the coordinator refuses them exactly as it does today for float32.
 */

/** Largest finite half: (2 − 2⁻¹⁰) · 2¹⁵. */
export const HALF_MAX = 65504;
const HALF_MAX_BITS = 0x7bff;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The half bit pattern nearest to `x` (ties to even), finite overflow clamped to ±HALF_MAX. */
export function toHalfBits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant ? sign | 0x7e00 : sign | 0x7c00; // NaN (quiet) or ±Infinity
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | HALF_MAX_BITS;
  if (e <= 0) {
    // Subnormal half: value = m · 2⁻²⁴ with m = (1.mant) · 2^(e − 14), so shift the 24-bit significand.
    const shift = 14 - e;
    if (shift > 24) return sign; // below half the smallest subnormal: rounds to ±0
    const sig = mant | 0x800000;
    let m = sig >>> shift;
    const rest = sig & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (m & 1) === 1)) m++;
    return sign | m; // m = 1024 carries into the smallest normal, which is the right pattern
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  if (h >= 0x7c00) h = HALF_MAX_BITS; // rounding carried past the largest finite half
  return sign | h;
}

let table: Float32Array | undefined;

/** All 65,536 halves as float32, built once (256 kB): decoding is then one load per value. */
function halfTable(): Float32Array {
  if (table) return table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) t[h] = sign * m * 2 ** -24;
    else if (e === 0x1f) t[h] = m ? NaN : sign * Infinity;
    else t[h] = sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  table = t;
  return t;
}

export function fromHalfBits(h: number): number {
  return halfTable()[h & 0xffff]!;
}

/**
 * Encodes `src` as halves into `out`; when `decoded` is given it receives what the receiver will
 * see (float32 of each half), which is what error feedback needs.
 */
export function encodeHalf(src: Float32Array, out: Uint16Array, decoded?: Float32Array): void {
  const t = halfTable();
  for (let i = 0; i < src.length; i++) {
    const h = toHalfBits(src[i]!);
    out[i] = h;
    if (decoded) decoded[i] = t[h]!;
  }
}

export function decodeHalf(src: Uint16Array, out: Float32Array): void {
  const t = halfTable();
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]!]!;
}
