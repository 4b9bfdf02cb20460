import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './replace-kernel.ts';
import { gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';
import { poolWindowsInside } from './conv-geometry.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Max pooling in our SIMD module where it is loaded (Node) and every window lies inside the input
 * ('valid', the CNNs' 2×2 pools), channels in fours: XNNPACK's took 1.1 ms for the small CNN's first
 * pool at batch 64. Other pools keep the original kernel.
 */
export function installMaxPool(): boolean {
  return wrapWasmKernel(tf.MaxPool, (originalFunc) => (args: KernelArgs) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const backend = args.backend as BackendWasm;
    const simd = gradientKernelsFor(backend);
    if (simd == null || x.dtype !== 'float32' || x.shape.length !== 4) return originalFunc(args);
    const attrs = args.attrs as unknown as tf.MaxPoolAttrs;
    const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
    if (!poolWindowsInside(info) || c % 4 !== 0 || oh * ow === 0) return originalFunc(args);
    const out = backend.makeOutput([n, oh, ow, c], 'float32');
    simd.max_pool(heapOffset(backend, x), heapOffset(backend, out), n, h, w, c, oh, ow, fh, fw, sh, sw);
    return out;
  });
}
