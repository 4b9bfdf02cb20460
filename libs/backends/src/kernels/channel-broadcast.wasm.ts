import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './replace-kernel.ts';
import { CHANNEL_OPS, gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** One value per channel of `x`'s last axis, any leading axes of size 1 (a bias, a batch-norm statistic). */
function isChannelVectorOf(v: tf.TensorInfo, x: tf.TensorInfo): boolean {
  const c = x.shape[x.shape.length - 1];
  return v.shape.length <= x.shape.length &&
    v.shape[v.shape.length - 1] === c &&
    v.shape.slice(0, -1).every((d) => d === 1) &&
    x.shape.slice(0, -1).reduce((p, d) => p * d, 1) > 1;
}

/** The op code for `x ⊕ v` (`vFirst`: the vector was the left operand). */
type OpCodes = (vFirst: boolean) => number;

const KERNELS: Array<[string, OpCodes]> = [
  [tf.Add, () => CHANNEL_OPS.add],
  [tf.Sub, (vFirst) => (vFirst ? CHANNEL_OPS.reverseSub : CHANNEL_OPS.sub)],
  [tf.Multiply, () => CHANNEL_OPS.mul],
];

/**
 * A tensor combined with a per-channel vector — every layer's bias add, and batch norm's centring,
 * scaling and their gradients — went through tfjs 4.22's broadcasting wasm kernels, which walk
 * index arithmetic per element: 1.2–1.4 ms per [64, 28, 28, 16] operation, eleven of them in a step
 * of the curriculum CNN. Our SIMD module streams them (0.2–0.3 ms). Other shapes and dtypes, and
 * every op where the module is not loaded (browsers), keep the original kernels.
 */
export function installChannelBroadcast(): string[] {
  const installed: string[] = [];
  for (const [name, opCode] of KERNELS) {
    const done = wrapWasmKernel(name, (originalFunc) => (args: KernelArgs) => {
      const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
      const backend = args.backend as BackendWasm;
      const simd = gradientKernelsFor(backend);
      if (simd == null || a.dtype !== 'float32' || b.dtype !== 'float32') return originalFunc(args);
      const vSecond = isChannelVectorOf(b, a);
      const vFirst = !vSecond && isChannelVectorOf(a, b);
      if (!vSecond && !vFirst) return originalFunc(args);
      const [x, v] = vFirst ? [b, a] : [a, b];
      const cols = x.shape[x.shape.length - 1]!;
      if (cols % 4 !== 0) return originalFunc(args);
      const out = backend.makeOutput(x.shape, 'float32');
      simd.channel_op(heapOffset(backend, x), heapOffset(backend, v), heapOffset(backend, out), tf.util.sizeFromShape(x.shape) / cols, cols, opCode(vFirst));
      return out;
    });
    if (done) installed.push(name);
  }
  return installed;
}
