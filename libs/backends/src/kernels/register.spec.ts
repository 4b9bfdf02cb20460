import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { missingWasmKernels, registerWasmKernels, wasmKernelConfigs } from './register.ts';

// Registration is by name in tfjs's global registry: no wasm module has to be loaded.
describe('registerWasmKernels', () => {
  it('registers the kernels wasm lacks, once', () => {
    const names = wasmKernelConfigs.map((c) => c.kernelName);
    expect(names).toEqual([
      tf.Conv2DBackpropFilter,
      tf.UnsortedSegmentSum,
      tf.DepthwiseConv2dNativeBackpropFilter,
      tf.DepthwiseConv2dNativeBackpropInput,
    ]);
    expect(missingWasmKernels()).toEqual(names);
    expect(registerWasmKernels()).toEqual(names);
    expect(registerWasmKernels()).toEqual([]);
    expect(missingWasmKernels()).toEqual([]);
  });

  it('leaves a kernel someone else registered in place', () => {
    const ours = tf.getKernel(tf.UnsortedSegmentSum, 'wasm');
    tf.unregisterKernel(tf.UnsortedSegmentSum, 'wasm');
    const theirs: tf.KernelConfig = { kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: () => [] };
    tf.registerKernel(theirs);
    try {
      expect(registerWasmKernels()).toEqual([]);
      expect(tf.getKernel(tf.UnsortedSegmentSum, 'wasm')).toBe(theirs);
    } finally {
      tf.unregisterKernel(tf.UnsortedSegmentSum, 'wasm');
      tf.registerKernel(ours);
    }
  });
});
