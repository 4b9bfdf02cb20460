import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WasmScope } from './wasm-kernel-utils.ts';
import { wrapWasmKernel } from './replace-kernel.ts';
import { simdMatMul } from './fused-mat-mul.wasm.ts';

/**
 * tfjs 4.22's wasm BatchMatMul is fast (XNNPACK) only for the plain product a·b; with transposeA or
 * transposeB it takes a naive path that is 5–40× slower (measured: the MLP's dense input gradient
 * dy·Wᵀ, [64×128]·[128×784], 11–16 ms against 2.3 ms rewritten). Every dense layer's backward pass
 * has both products (xᵀ·dy for the weights, dy·Wᵀ for the input), so this decides training speed.
 *
 * Each transposed product is rewritten as a plain one with explicit transposes, using (XY)ᵀ = YᵀXᵀ
 * to choose which operand becomes the plain product's right-hand side: XNNPACK packs that operand
 * anew on every call (a fresh tensor each step), which costs about as much as the product, so the
 * smaller operand goes there.
 *
 * Plain products (given, or made so) go to our SIMD product instead where its width allows, which
 * packs nothing (fused-mat-mul.wasm.ts): that is the forward product of every relu dense layer
 * while training.
 * So does xᵀ·dy (transposeA alone: every dense layer's weight gradient), at any size: it reads x
 * transposed in place, with no copy and nothing packed. Measured against the transpose and XNNPACK
 * (new operands each call): [64×784]ᵀ·[64×128] 0.63 against 0.78 ms, [128×1568]ᵀ·[128×128] 2.2
 * against 3.7 ms, [256×784]ᵀ·[256×128] 2.1 against 3.9 ms.
 */
type KernelArgs = Parameters<tf.KernelFunc>[0];

const size = (t: tf.TensorInfo) => t.shape.reduce((p, d) => p * d, 1);

export function installBatchMatMulTransposed(): boolean {
  return wrapWasmKernel(tf.BatchMatMul, (originalFunc) => (args: KernelArgs) => {
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const backend = args.backend as BackendWasm;
    if (!transposeB) {
      const direct = simdMatMul(backend, a, b, undefined, 'linear', { transposeA });
      if (direct != null) return direct;
      if (!transposeA) return originalFunc(args);
    }
    const scope = new WasmScope(backend);
    const swapLast = (x: tf.TensorInfo) => {
      const rank = x.shape.length;
      return scope.transpose(x, [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2]);
    };
    const plain = (x: tf.TensorInfo, y: tf.TensorInfo) =>
      simdMatMul(backend, x, y) ??
      (originalFunc({ ...args, inputs: { a: x, b: y }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo);
    // op(A)·op(B) directly, with B packed; or (op(B)ᵀ·op(A)ᵀ)ᵀ, with op(A)ᵀ packed.
    const opA = (x: tf.TensorInfo) => (transposeA ? swapLast(x) : x);
    const opB = (y: tf.TensorInfo) => (transposeB ? swapLast(y) : y);
    const opAT = (x: tf.TensorInfo) => (transposeA ? x : swapLast(x));
    const opBT = (y: tf.TensorInfo) => (transposeB ? y : swapLast(y));
    let out: tf.TensorInfo;
    if (size(b) <= size(a)) {
      out = plain(opA(a), opB(b));
    } else {
      const swapped = plain(opBT(b), opAT(a));
      scope.track(swapped);
      out = swapLast(swapped);
    }
    scope.dispose(out);
    return out;
  });
}
