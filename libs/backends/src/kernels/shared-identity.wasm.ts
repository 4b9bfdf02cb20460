import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './replace-kernel.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * tfjs-core clones every tensor it saves for the backward pass (`saveTensorsForBackwardMode`), and
 * tfjs 4.22's wasm Identity copies the data, where cpu and webgl share it: 36 copies per step of the
 * small CNN, 1.7 ms of 24. Tensors are immutable (a variable's assign swaps its data id, and no
 * kernel writes into its inputs), so sharing the data with a reference count is what Reshape already
 * does on wasm. Strings keep the original kernel.
 */
export function installSharedIdentity(): boolean {
  return wrapWasmKernel(tf.Identity, (originalFunc) => (args: KernelArgs) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    if (x.dtype === 'string') return originalFunc(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}
