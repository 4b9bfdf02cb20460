import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './replace-kernel.ts';
import { gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';
import { poolWindowsInside } from './conv-geometry.ts';
import { isReluOutput, rememberPoolWinners } from './relu-provenance.ts';
import { heapBytes } from './wasm-kernel-utils.ts';

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
    if (isReluOutput(x.dataId) && fh === 2 && fw === 2 && sh === 2 && sw === 2) return poolWithWinners(backend, x, n, h, w, c, oh, ow);
    const out = backend.makeOutput([n, oh, ow, c], 'float32');
    simd.max_pool(heapOffset(backend, x), heapOffset(backend, out), n, h, w, c, oh, ow, fh, fw, sh, sw);
    return out;
  });
}

/**
 * The CNNs' 2×2 pool over our conv's relu output: the pool, and each value's winning cell kept in
 * JavaScript (a byte per value) for the gradient (maxPoolGradWasm), which then writes its cells from
 * dy and the winners without reading the activation a second time.
 */
function poolWithWinners(backend: BackendWasm, x: tf.TensorInfo, n: number, h: number, w: number, c: number, oh: number, ow: number): tf.TensorInfo {
  const simd = gradientKernelsFor(backend)!;
  const out = backend.makeOutput([n, oh, ow, c], 'float32');
  // c % 4 == 0: the winners' bytes fill whole int32 values.
  const winners = backend.makeOutput([(n * oh * ow * c) / 4], 'int32');
  try {
    simd.max_pool_2x2_argmax(heapOffset(backend, x), heapOffset(backend, out), heapOffset(backend, winners), n, h, w, c, oh, ow);
    rememberPoolWinners(out.dataId, heapBytes(backend, winners).slice());
  } finally {
    backend.disposeData(winners.dataId);
  }
  return out;
}
