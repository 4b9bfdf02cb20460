import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './replace-kernel.ts';
import { gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** A bias: one value per channel of `x`'s last axis, any leading axes of size 1. */
function isBiasOf(bias: tf.TensorInfo, x: tf.TensorInfo): boolean {
  const c = x.shape[x.shape.length - 1];
  return bias.shape.length <= x.shape.length &&
    bias.shape[bias.shape.length - 1] === c &&
    bias.shape.slice(0, -1).every((d) => d === 1) &&
    x.shape.slice(0, -1).reduce((p, d) => p * d, 1) > 1;
}

/**
 * Every conv and dense layer adds its bias over batch and space with a broadcasting Add, which
 * tfjs 4.22's wasm kernel walks with index arithmetic per element: 1.4 ms for the small CNN's
 * first layer at batch 64, against 0.3 ms streamed by our SIMD module. Other adds (and every add
 * when the module is not loaded, as in browsers) keep the original kernel.
 */
export function installBiasAdd(): boolean {
  return wrapWasmKernel(tf.Add, (originalFunc) => (args: KernelArgs) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const backend = args.backend as BackendWasm;
    const simd = gradientKernelsFor(backend);
    if (simd == null || a.dtype !== 'float32' || b.dtype !== 'float32') return originalFunc(args);
    const [x, bias] = isBiasOf(b, a) ? [a, b] : isBiasOf(a, b) ? [b, a] : [null, null];
    if (x == null || bias == null) return originalFunc(args);
    const cols = x.shape[x.shape.length - 1]!;
    if (cols % 4 !== 0) return originalFunc(args);
    const out = backend.makeOutput(x.shape, 'float32');
    simd.add_bias(heapOffset(backend, x), heapOffset(backend, bias), heapOffset(backend, out), tf.util.sizeFromShape(x.shape) / cols, cols);
    return out;
  });
}
