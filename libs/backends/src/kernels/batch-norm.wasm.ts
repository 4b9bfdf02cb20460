import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './replace-kernel.ts';
import { gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** A [C] (or [1, …, 1, C]) per-channel statistic of `x`, as float32 values; null if it is not one. */
function channelValues(backend: BackendWasm, t: tf.TensorInfo | undefined, c: number): Float32Array | null {
  if (t == null || t.dtype !== 'float32' || tf.util.sizeFromShape(t.shape) !== c || t.shape[t.shape.length - 1] !== c) return null;
  return (backend.typedArrayFromHeap(t) as Float32Array).slice();
}

/**
 * Batch norm's forward pass (FusedBatchNorm) with per-channel statistics, as one streamed
 * multiply-add per value: a = scale / √(var + ε) and b = offset − mean · a are folded per channel in
 * JavaScript, then our SIMD module computes x · a + b. tfjs 4.22's wasm kernel took 5.5 ms for the
 * curriculum CNN's first [64, 28, 28, 16] activation. Values differ from the unfolded formula only
 * in float32 rounding. Other cases, and every case where the module is not loaded, keep the original.
 */
export function installBatchNorm(): boolean {
  return wrapWasmKernel(tf.FusedBatchNorm, (originalFunc) => (args: KernelArgs) => {
    const backend = args.backend as BackendWasm;
    const simd = gradientKernelsFor(backend);
    const { x, mean, variance, offset, scale } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
    if (simd == null || x == null || x.dtype !== 'float32' || x.shape.length < 2) return originalFunc(args);
    const c = x.shape[x.shape.length - 1]!;
    const m = channelValues(backend, mean, c);
    const v = channelValues(backend, variance, c);
    const o = offset == null ? new Float32Array(c) : channelValues(backend, offset, c);
    const s = scale == null ? new Float32Array(c).fill(1) : channelValues(backend, scale, c);
    if (c % 4 !== 0 || m == null || v == null || o == null || s == null) return originalFunc(args);
    const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
    const a = new Float32Array(c);
    const b = new Float32Array(c);
    for (let i = 0; i < c; i++) {
      a[i] = s[i]! / Math.sqrt(v[i]! + varianceEpsilon);
      b[i] = o[i]! - m[i]! * a[i]!;
    }
    const factors = backend.makeOutput([2, c], 'float32');
    const out = backend.makeOutput(x.shape, 'float32');
    // makeOutput may grow wasm memory, which detaches views: write after allocating both.
    const f = backend.typedArrayFromHeap(factors) as Float32Array;
    f.set(a);
    f.set(b, c);
    const at = heapOffset(backend, factors);
    simd.channel_affine(heapOffset(backend, x), at, at + 4 * c, heapOffset(backend, out), tf.util.sizeFromShape(x.shape) / c, c);
    backend.disposeData(factors.dataId);
    return out;
  });
}
