import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './replace-kernel.ts';
import { KERNEL_ACTIVATIONS, gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * a·b (+ bias, then relu or nothing) in our SIMD module (matmul_bias_act in simd/matmul.wat),
 * or null where it does not apply: no module on this backend, batched or non-float operands, a
 * width not a multiple of 8, an empty product, a bias that is not one per column.
 *
 * XNNPACK packs b before every product whose b is a new tensor, and in training b (the weights, or
 * dy) is new every step. With a new b each call, [M × 784]·[784 × 128]: M 128 0.89 against 1.24 ms,
 * M 512 4.1 against 6.3 ms, M 4,250 30 against 61 ms; [256 × 128]·[128 × 784] 1.8 against 4.1 ms.
 * (Multiplying by the same b over and over, XNNPACK's packed product is about as fast as ours from
 * M ≈ 64 on; training never does.)
 * Operands are [rows, cols], or [1, rows, cols] as tfjs's fused op hands them over; the output has
 * their rank, as the original kernels' does. With `transposeA`, a is stored [K, M] and read as its
 * transpose in place.
 */
export function simdMatMul(
  backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, bias?: tf.TensorInfo, activation = 'linear',
  { transposeA = false } = {},
): tf.TensorInfo | null {
  const simd = gradientKernelsFor(backend);
  const act = KERNEL_ACTIVATIONS[activation];
  if (simd == null || act === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const rank = a.shape.length;
  if (b.shape.length !== rank || (rank !== 2 && rank !== 3) || (rank === 3 && (a.shape[0] !== 1 || b.shape[0] !== 1))) return null;
  const [rows, cols] = a.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [cols, rows] : [rows, cols];
  const n = b.shape[rank - 1]!;
  if (b.shape[rank - 2] !== k || n % 8 !== 0 || m * n * k === 0) return null;
  if (bias != null && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return null;
  const out = backend.makeOutput(rank === 3 ? [1, m, n] : [m, n], 'float32');
  const [aRow, aCol] = transposeA ? [4, 4 * m] : [4 * k, 4];
  const { chunk, panel } = matMulBlocking(k, n);
  simd.matmul_bias_act(heapOffset(backend, a), heapOffset(backend, b), bias ? heapOffset(backend, bias) : 0, heapOffset(backend, out), m, k, n, act, aRow, aCol, chunk, panel);
  return out;
}

/** Floats of b that one block of the product reads: 128 kB, a quarter of this core's L2. */
const CACHED_B_FLOATS = 32_768;

/**
 * How matmul_bias_act blocks a·b ([M, K]·[K, N]) so that the part of b it is using stays in cache
 * while every four rows of a go by. Column panels make a be read once per panel; k chunks make the
 * partial sums of out be stored and loaded once per chunk. So a wide b (N > K: dy·Wᵀ) is cut into
 * panels, a tall one (xᵀ·dy over thousands of samples, x·W) into chunks. Panels are whole 8-column
 * blocks.
 */
export function matMulBlocking(k: number, n: number): { chunk: number; panel: number } {
  if (k * n <= CACHED_B_FLOATS) return { chunk: k, panel: n };
  if (n <= k) return { chunk: Math.max(8, Math.floor(CACHED_B_FLOATS / n)), panel: n };
  const panel = Math.min(n, Math.max(8, Math.floor(CACHED_B_FLOATS / k / 8) * 8));
  return { chunk: Math.max(8, Math.floor(CACHED_B_FLOATS / panel)), panel };
}

/**
 * A dense layer's forward product where tfjs fuses it (`_FusedMatMul`: linear layers while
 * training, every layer at inference) through simdMatMul; transposed operands and prelu keep the
 * original kernel. Relu layers while training reach BatchMatMul instead (tfjs does not fuse an
 * activation under a gradient tape): see batch-mat-mul-transposed.wasm.ts.
 */
export function installFusedMatMul(): boolean {
  return wrapWasmKernel(tf._FusedMatMul, (originalFunc) => (args: KernelArgs) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation: string };
    if (transposeA || transposeB || preluActivationWeights != null || !a || !b) return originalFunc(args);
    return simdMatMul(args.backend as BackendWasm, a, b, bias, activation) ?? originalFunc(args);
  });
}
