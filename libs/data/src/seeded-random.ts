/**
 * mulberry32's step: each draw adds it to the state, so the state of draw j (from 0) is
 * seed + (j + 1)·MULBERRY_STEP, and any draw can be made on its own (the WebGPU dropout masks do).
 */
export const MULBERRY_STEP = 0x6d2b79f5;

/** mulberry32's 32-bit output for a state (already stepped): a whole number in [0, 2³²). */
export function mulberry32Bits(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** mulberry32: tiny, fast and good enough for shuffles; the seed fixes every data order in a run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + MULBERRY_STEP) >>> 0;
    return mulberry32Bits(a) / 4294967296;
  };
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const rnd = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
