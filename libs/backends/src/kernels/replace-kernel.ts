import * as tf from '@tensorflow/tfjs';

const MARK = Symbol.for('shardgrad.replacedKernel');

/**
 * Swaps a wasm kernel for one built from it (`wrap` gets the original, for the cases it leaves
 * alone), once; false when already done or when wasm is not loaded yet.
 */
export function wrapWasmKernel(name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): boolean {
  const original = tf.getKernel(name, 'wasm');
  if (original == null || (original as unknown as Record<symbol, boolean>)[MARK]) return false;
  tf.unregisterKernel(name, 'wasm');
  const config = { ...original, kernelFunc: wrap(original.kernelFunc) } as tf.KernelConfig;
  (config as unknown as Record<symbol, boolean>)[MARK] = true;
  tf.registerKernel(config);
  return true;
}

/** Swaps a wasm kernel for ours, once; false when already done or when wasm is not loaded yet. */
export function replaceWasmKernel(name: string, kernelFunc: tf.KernelFunc): boolean {
  return wrapWasmKernel(name, () => kernelFunc);
}
