import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WasmScope } from './wasm-kernel-utils.ts';

/**
 * tfjs 4.22's wasm BatchMatMul is 6–10× slower with transposeA than an explicit Transpose followed
 * by the plain product (measured: 36–42 ms against 2.5–6.5 ms for the MLP's [784×64]ᵀ·[64×128]).
 * Every dense layer's weight gradient is such a product (xᵀ·dy), so this decides training speed.
 * The override keeps the original kernel for everything else.
 */
const OVERRIDE_MARK = Symbol.for('shardgrad.batchMatMulTransposeA');

type KernelArgs = Parameters<tf.KernelFunc>[0];

export function installBatchMatMulTransposeA(): boolean {
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (original == null || (original as unknown as Record<symbol, boolean>)[OVERRIDE_MARK]) return false;
  const originalFunc = original.kernelFunc;
  const kernelFunc = (args: KernelArgs) => {
    const { transposeA } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA) return originalFunc(args);
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const scope = new WasmScope(args.backend as BackendWasm);
    const rank = a.shape.length;
    const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
    const aT = scope.transpose(a, perm);
    const out = originalFunc({ ...args, inputs: { a: aT, b }, attrs: { ...args.attrs, transposeA: false } }) as tf.TensorInfo;
    scope.dispose();
    return out;
  };
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  const config = { ...original, kernelFunc } as tf.KernelConfig;
  (config as unknown as Record<symbol, boolean>)[OVERRIDE_MARK] = true;
  tf.registerKernel(config);
  return true;
}
