import * as tf from '@tensorflow/tfjs';

/**
 * Helpers for "same spec, every backend" tests: run one tensor program on several backends and
 * compare. Values come from a seeded generator, not tf.random*, so every backend sees the same bits.
 */

/** Deterministic uniform values in [-0.5, 0.5) (a 32-bit LCG: plenty for test data). */
export function seededValues(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

export function seededTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(seededValues(tf.util.sizeFromShape(shape), seed), shape);
}

/**
 * Switches to `backend`, runs `fn` in a tidy and returns its tensors as plain arrays (so they
 * outlive the switch). Leaves `backend` active.
 */
export async function computeOn(
  backend: string,
  fn: () => tf.Tensor[],
): Promise<Array<Float32Array | Int32Array | Uint8Array>> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend '${backend}' failed to initialise`);
  await tf.ready();
  const tensors = tf.tidy(fn);
  try {
    return tensors.map((t) => t.dataSync().slice() as Float32Array | Int32Array | Uint8Array);
  } finally {
    tf.dispose(tensors);
  }
}

/** max |a − b| / max |b|: relative to the scale of the expected values, robust near zero. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    maxDiff = Number.isNaN(diff) ? Infinity : Math.max(maxDiff, diff);
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}

/** The worst relativeError over a list of tensors (e.g. all gradients of a model). */
export function worstRelativeError(actual: ArrayLike<number>[], expected: ArrayLike<number>[]): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} tensors ≠ ${expected.length}`);
  return Math.max(0, ...actual.map((a, i) => relativeError(a, expected[i])));
}

/** tf.grads for functions of ranked tensors (tf.grads types its parameters as plain Tensor). */
export function rankedGrads<T extends tf.Tensor>(f: (...args: T[]) => tf.Tensor): (args: T[]) => tf.Tensor[] {
  return tf.grads((...args: tf.Tensor[]) => f(...(args as T[])));
}

/** Bytes the WebGPU backend holds in GPU buffers (-1 on a backend that does not say): fixtures check leaks with it. */
export function gpuBytes(): number {
  return (tf.memory() as { numBytesInGPU?: number }).numBytesInGPU ?? -1;
}

/** Largest absolute difference between two weight lists, position by position. */
export function maxAbsDiff(a: readonly { data: ArrayLike<number> }[], b: readonly { data: ArrayLike<number> }[]): number {
  if (a.length !== b.length) throw new Error(`weight lists differ in length: ${a.length} vs ${b.length}`);
  let m = 0;
  a.forEach((t, i) => {
    const u = b[i]!.data;
    if (u.length !== t.data.length) throw new Error(`tensor ${i} differs in size`);
    for (let j = 0; j < t.data.length; j++) m = Math.max(m, Math.abs(t.data[j]! - u[j]!));
  });
  return m;
}
