/**
 * "Matches the cpu backend's gradient": the test each backend passes on the calibration shard
 * before a tab trusts it with real rounds.
 */
import type { TensorData } from '@shardgrad/codec';

/**
 * Largest accepted ‖g − g_cpu‖₂ / ‖g_cpu‖₂. float32 backends (wasm, WebGPU, WebGL with float
 * textures) land near 1e-6; a GPU that computes in half precision lands near 1e-3 and is refused,
 * because its gradients would quietly disagree with every other worker's.
 */
export const GRADIENT_TOLERANCE = 1e-4;

/** All tensors' values end to end, in position order. */
export function flatten(tensors: readonly TensorData[]): Float32Array {
  const out = new Float32Array(tensors.reduce((s, t) => s + t.data.length, 0));
  let off = 0;
  for (const t of tensors) {
    out.set(t.data, off);
    off += t.data.length;
  }
  return out;
}

/** ‖a − b‖₂ / ‖b‖₂ (absolute when b is zero); Infinity for a length mismatch or a non-finite value. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    diff += d * d;
    norm += b[i]! * b[i]!;
  }
  const e = norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff);
  return Number.isFinite(e) ? e : Infinity;
}

export const gradientsMatch = (candidate: ArrayLike<number>, reference: ArrayLike<number>) =>
  relativeError(candidate, reference) <= GRADIENT_TOLERANCE;
