import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gradientKernelsFor, heapOffset } from '../kernels/simd/gradient-kernels.ts';
import { asWasmBackend, inputsOf } from '../kernels/wasm-kernel-utils.ts';

/** Our kernel's name: tfjs 4.22 has no ReluGrad kernel, only the op chain dy · step(x). */
export const RELU_GRAD = 'ShardgradReluGrad';

/** wasm only, and only called where our SIMD module is loaded (see reluGradConfig). */
export const reluGradWasmConfig: tf.KernelConfig = {
  kernelName: RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const wasm = asWasmBackend(backend);
    const simd = gradientKernelsFor(wasm);
    if (simd == null) throw new Error(`${RELU_GRAD}: the SIMD gradient kernels are not loaded`);
    const { x, dy } = inputsOf(RELU_GRAD, inputs, 'x', 'dy');
    const out = wasm.makeOutput(x.shape, 'float32');
    simd.relu_grad(heapOffset(wasm, x), heapOffset(wasm, dy), heapOffset(wasm, out), tf.util.sizeFromShape(x.shape));
    return out;
  },
};

function simdLoaded(): boolean {
  return tf.getBackend() === 'wasm' && gradientKernelsFor(tf.backend() as BackendWasm) != null;
}

/**
 * Relu's gradient in one pass where our SIMD module runs (wasm in Node): tfjs-core computes
 * dy · cast(step(x)), three kernels over the whole activation (1.3 ms of the small CNN's step for
 * its first layer). Everywhere else it is tfjs-core's formula, so other backends see no change.
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    const g = dy as tf.Tensor;
    return {
      x: () => (simdLoaded() && x.dtype === 'float32'
        ? (tf.engine().runKernel(RELU_GRAD, { x, dy: g }) as tf.Tensor)
        : tf.mul(g, tf.cast(tf.step(x), 'float32'))),
    };
  },
};

/** Replaces tfjs-core's Relu gradient (process-wide, every backend) and registers the wasm kernel. Idempotent. */
export function registerReluGradient(): void {
  tf.registerGradient(reluGradConfig);
  if (tf.getKernel(RELU_GRAD, 'wasm') == null) tf.registerKernel(reluGradWasmConfig);
}
