import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WasmScope } from './wasm-kernel-utils.ts';
import { wrapWasmKernel } from './replace-kernel.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Below this many rows the transpose is cheap and the product's set-up is not worth it. */
const MIN_ROWS = 64;

/**
 * tfjs 4.22's wasm Sum reduces along the innermost axes only, so a sum over leading axes first
 * transposes the whole tensor. Every bias gradient is such a sum (over batch, height and width of
 * an NHWC gradient), and the transpose made it cost as much as the convolution: 1.15 ms for
 * [64×11×11×32] against 0.18 ms as the product ones[1×R]·x[R×C] on XNNPACK (R the summed rows).
 * Other sums keep the original kernel.
 */
export function installSumLeadingAxes(): boolean {
  return wrapWasmKernel(tf.Sum, (originalFunc) => (args: KernelArgs) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    if (x.dtype !== 'float32') return originalFunc(args);
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const k = axes.length;
    const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
    const rows = x.shape.slice(0, k).reduce((p, d) => p * d, 1);
    if (!leading || rows < MIN_ROWS) return originalFunc(args);
    const cols = x.shape.slice(k).reduce((p, d) => p * d, 1);
    const scope = new WasmScope(args.backend as BackendWasm);
    const ones = scope.run(tf.Fill, {}, { shape: [1, rows], value: 1, dtype: 'float32' });
    const product = scope.run(tf.BatchMatMul, { a: ones, b: scope.reshape(x, [rows, cols]) }, { transposeA: false, transposeB: false });
    const out = scope.reshape(product, keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k));
    scope.dispose(out);
    return out;
  });
}
