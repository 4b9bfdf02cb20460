import * as tf from '@tensorflow/tfjs';

const MARK = Symbol.for('shardgrad.replacedKernel');

/** Swaps a wasm kernel for ours, once; false when already done or when wasm is not loaded yet. */
export function replaceWasmKernel(name: string, kernelFunc: tf.KernelFunc): boolean {
  const original = tf.getKernel(name, 'wasm');
  if (original == null || (original as unknown as Record<symbol, boolean>)[MARK]) return false;
  tf.unregisterKernel(name, 'wasm');
  const config = { ...original, kernelFunc } as tf.KernelConfig;
  (config as unknown as Record<symbol, boolean>)[MARK] = true;
  tf.registerKernel(config);
  return true;
}
