/**
 * Seed derivation and distributions on top of seededRandom (mulberry32, in seeded-random.ts).
 *
 * Math.random cannot be seeded, and every worker (node, worker_thread, browser) must reproduce
 * exactly the same shuffle and the same augmented pixels for a given (seed, epoch, sample), or the
 * distributed run stops being equal to a one-process run. So all data randomness goes through here.
 */

/** Uniform float in [0, 1), e.g. seededRandom(seed). */
export type Rng = () => number;

// murmur3's finaliser: every input bit flips about half the output bits, so neighbouring
// (seed, epoch) pairs give unrelated streams instead of shifted copies of one another.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Combine integers (run seed, epoch, sample index, ...) into one 32-bit seed. Order matters:
 * deriveSeed(1, 2) !== deriveSeed(2, 1). Parts above 2^32 keep their high bits so large sample
 * ids or seeds do not collide.
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    if (!Number.isSafeInteger(p)) throw new Error(`deriveSeed: parts must be safe integers, got ${p}`);
    h = fmix32(h ^ (p >>> 0));
    h = fmix32((h + (Math.floor(p / 4294967296) >>> 0) + 0x9e3779b9) >>> 0);
  }
  return h;
}

/** Integer uniform in [lo, hi] inclusive. */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/**
 * Standard normal draws by Box-Muller. The spare value is kept so each pair of uniforms yields two
 * normals; that halves the cost of noise augmentation, which draws one per pixel.
 */
export function normalSampler(rng: Rng): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = rng();
    while (u === 0) u = rng(); // log(0) would give an infinite sample
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
