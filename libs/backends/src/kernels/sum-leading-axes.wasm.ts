import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WasmScope } from './wasm-kernel-utils.ts';
import { wrapWasmKernel } from './replace-kernel.ts';
import { gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Below this many rows the transpose is cheap and the product's set-up is not worth it. */
const MIN_ROWS = 64;
/**
 * Above this many floats packing x costs more than the transpose it saves. XNNPACK packs the
 * product's right-hand operand (here x, transposed on the way) on every call with a fresh tensor:
 * measured on fresh inputs, [64×10] 0.07 against 0.18 ms, but [64×128] 0.29 against 0.20 and a conv
 * bias gradient [64×26×26×16] 8.3 against 1.3 ms.
 */
const MAX_PACKED_FLOATS = 2048;

/**
 * tfjs 4.22's wasm Sum reduces along the innermost axes only, so a sum over leading axes first
 * transposes the whole tensor. Every bias gradient is such a sum. For a small one (a dense output
 * layer's, [batch × classes]) the product ones[1×R]·x[R×C] on XNNPACK (R the summed rows) is
 * faster than the transpose's set-up; for larger ones it is slower (see MAX_PACKED_FLOATS: an
 * earlier measurement that reused one input tensor hit XNNPACK's cache of packed operands, and
 * wrongly showed the product winning for conv bias gradients too). Where our SIMD module is loaded
 * (Node, see simd/) and the kept axes hold a multiple of 4 values, a streaming column sum beats
 * both. Other sums keep the original.
 */
export function installSumLeadingAxes(): boolean {
  return wrapWasmKernel(tf.Sum, (originalFunc) => (args: KernelArgs) => {
    const r = leadingReduction(args);
    if (r == null) return originalFunc(args);
    const { x, rows, cols, outShape } = r;
    const backend = args.backend as BackendWasm;
    if (gradientKernelsFor(backend) != null && cols % 4 === 0) return columnSums(backend, r);
    if (rows < MIN_ROWS || rows * cols > MAX_PACKED_FLOATS) return originalFunc(args);
    const scope = new WasmScope(args.backend as BackendWasm);
    const ones = scope.run(tf.Fill, {}, { shape: [1, rows], value: 1, dtype: 'float32' });
    const product = scope.run(tf.BatchMatMul, { a: ones, b: scope.reshape(x, [rows, cols]) }, { transposeA: false, transposeB: false });
    const out = scope.reshape(product, outShape);
    scope.dispose(out);
    return out;
  });
}

/**
 * Mean over leading axes (batch norm's moments: two per layer per step, over N, H, W) had the same
 * transpose: 2.4 ms for [64, 28, 28, 16]. Where the SIMD module is loaded, column sums divided by
 * the row count (in float64 then rounded, which is exactly float32 division); otherwise the original.
 */
export function installMeanLeadingAxes(): boolean {
  return wrapWasmKernel(tf.Mean, (originalFunc) => (args: KernelArgs) => {
    const r = leadingReduction(args);
    const backend = args.backend as BackendWasm;
    if (r == null || r.cols % 4 !== 0 || gradientKernelsFor(backend) == null) return originalFunc(args);
    const out = columnSums(backend, r);
    const values = backend.typedArrayFromHeap(out) as Float32Array;
    for (let c = 0; c < values.length; c++) values[c] = values[c]! / r.rows;
    return out;
  });
}

interface LeadingReduction {
  x: tf.TensorInfo;
  rows: number;
  cols: number;
  outShape: number[];
}

/** A float32 reduction over the leading axes only (some, not all), as rows × cols; null otherwise. */
function leadingReduction(args: KernelArgs): LeadingReduction | null {
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  if (x.dtype !== 'float32') return null;
  const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  const k = axes.length;
  if (!(k > 0 && k < x.shape.length && axes.every((a, i) => a === i))) return null;
  return {
    x,
    rows: x.shape.slice(0, k).reduce((p, d) => p * d, 1),
    cols: x.shape.slice(k).reduce((p, d) => p * d, 1),
    outShape: keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k),
  };
}

function columnSums(backend: BackendWasm, r: LeadingReduction): tf.TensorInfo {
  const out = backend.makeOutput(r.outShape, 'float32');
  gradientKernelsFor(backend)!.sum_rows(heapOffset(backend, r.x), heapOffset(backend, out), r.rows, r.cols);
  return out;
}
