import * as tf from '@tensorflow/tfjs';

const MARK = Symbol.for('shardgrad.replacedKernel');

/**
 * Swaps a backend's kernel for one built from it (`wrap` gets the original, for the cases it
 * leaves alone), once; false when already done or when that backend is not loaded yet.
 */
export function wrapKernel(backendName: string, name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): boolean {
  const original = tf.getKernel(name, backendName);
  if (original == null || (original as unknown as Record<symbol, boolean>)[MARK]) return false;
  tf.unregisterKernel(name, backendName);
  const config = { ...original, kernelFunc: wrap(original.kernelFunc) } as tf.KernelConfig;
  (config as unknown as Record<symbol, boolean>)[MARK] = true;
  tf.registerKernel(config);
  return true;
}

/** wrapKernel on the wasm backend. */
export function wrapWasmKernel(name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): boolean {
  return wrapKernel('wasm', name, wrap);
}

/** Swaps a wasm kernel for ours, once; false when already done or when wasm is not loaded yet. */
export function replaceWasmKernel(name: string, kernelFunc: tf.KernelFunc): boolean {
  return wrapWasmKernel(name, () => kernelFunc);
}
