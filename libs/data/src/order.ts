/**
 * Deterministic sample order and batch sharding: pure functions the coordinator and every worker
 * can evaluate independently and agree on, so a plan only needs to carry (seed, epoch, sizes).
 */
import { deriveSeed } from './rng.ts';
import { permutation } from './seeded-random.ts';

/**
 * The visiting order of n samples in one epoch. Seeding with (seed, epoch) rather than advancing
 * one stream means a restarted or late-joining process can compute epoch e without replaying 0..e-1.
 */
export function epochOrder(n: number, seed: number, epoch: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`epochOrder: n must be an integer in [0, 2^32), got ${n}`);
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`epochOrder: epoch must be a non-negative integer, got ${epoch}`);
  return permutation(n, deriveSeed(seed, epoch));
}

/**
 * Integer shard sizes proportional to weights (e.g. measured worker speeds), summing exactly to
 * total. Largest remainder (Hamilton) keeps every size within 1 of its exact quota; ties go to
 * the lower index so every process computes the same split. A zero-weight worker gets nothing;
 * when total allows, every positive-weight worker gets at least 1, because an idle worker would
 * never be re-measured and its weight could never recover.
 */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`splitByWeights: total must be a non-negative integer, got ${total}`);
  weights.forEach((w, i) => {
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`splitByWeights: weight ${i} must be finite and >= 0, got ${w}`);
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return weights.map(() => 0);
  if (!(sum > 0)) throw new RangeError(`splitByWeights: ${total} items but no positive weight among [${weights.join(', ')}]`);

  const quotas = weights.map((w) => (total * w) / sum);
  const sizes = quotas.map(Math.floor);
  // Float rounding can make the floors overshoot or undershoot by more than the true remainder,
  // so settle whatever difference is left, in remainder order, rather than assume it is in [0, n).
  let left = total - sizes.reduce((a, b) => a + b, 0);
  const byRemainder = weights
    .map((_, i) => i)
    .filter((i) => weights[i]! > 0)
    .sort((a, b) => quotas[b]! - sizes[b]! - (quotas[a]! - sizes[a]!) || a - b);
  for (let k = 0; left > 0; k = (k + 1) % byRemainder.length, left--) sizes[byRemainder[k]!] += 1;
  for (let k = byRemainder.length - 1; left < 0; k = (k - 1 + byRemainder.length) % byRemainder.length) {
    const i = byRemainder[k]!;
    if (sizes[i]! > 0) {
      sizes[i] -= 1;
      left++;
    }
  }

  const positive = byRemainder.length;
  if (total >= positive) {
    for (const i of byRemainder) {
      if (sizes[i]! > 0) continue;
      // Take from the largest shard (lowest index on ties); it has >= 2 because the others sum to >= positive.
      let donor = -1;
      sizes.forEach((s, j) => {
        if (donor < 0 || s > sizes[donor]!) donor = j;
      });
      sizes[donor] -= 1;
      sizes[i] = 1;
    }
  }
  return sizes;
}

/**
 * Cut a batch's index list into consecutive shards of the given sizes (e.g. from splitByWeights).
 * Returns views, not copies: a plan is built once and only read.
 */
export function partitionBySizes(indices: Uint32Array, sizes: readonly number[]): Uint32Array[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum !== indices.length) throw new RangeError(`partitionBySizes: sizes sum to ${sum}, but there are ${indices.length} indices`);
  const out: Uint32Array[] = [];
  let at = 0;
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`partitionBySizes: sizes must be non-negative integers, got ${s}`);
    out.push(indices.subarray(at, at + s));
    at += s;
  }
  return out;
}

/**
 * Copy rows `indices` (in that order) out of a row-major matrix with rowSize values per row, into
 * `out` when given (at least indices.length rows long: a tensor's memory, say), else a new array.
 */
export function gatherRows(src: Float32Array, rowSize: number, indices: ArrayLike<number>, out?: Float32Array): Float32Array {
  if (!Number.isInteger(rowSize) || rowSize <= 0) throw new RangeError(`gatherRows: rowSize must be a positive integer, got ${rowSize}`);
  if (src.length % rowSize !== 0) throw new RangeError(`gatherRows: src length ${src.length} is not a multiple of rowSize ${rowSize}`);
  if (out && out.length < indices.length * rowSize) throw new RangeError(`gatherRows: ${indices.length} rows do not fit in ${out.length} values`);
  const rows = src.length / rowSize;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= rows) throw new RangeError(`gatherRows: index ${r} at position ${i} is outside [0, ${rows})`);
  }
  const target = out ?? new Float32Array(indices.length * rowSize);
  if (rowSize === 1) {
    for (let i = 0; i < indices.length; i++) target[i] = src[indices[i]!]!;
    return target;
  }
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    target.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return target;
}
