import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { disposeNodeBackend, initNodeBackend, type NodeBackendName } from './node.ts';
import { parseNodeBackendName } from './backend-name.ts';
import { broadcastMeanGradConfig, broadcastSumGradConfig } from './gradients/reduction-grads.ts';

// Backends are process-global; vitest runs each spec file in its own process, and these run in order.
describe('initNodeBackend', () => {
  // First in the file: no wasm set-up has registered them yet.
  it('puts our gradients in place for any backend, cpu included (not only where wasm is set up)', async () => {
    await initNodeBackend('cpu');
    expect(tf.getGradient(tf.Mean)).toBe(broadcastMeanGradConfig);
    expect(tf.getGradient(tf.Sum)).toBe(broadcastSumGradConfig);
  });

  it('rejects unknown names, listing the valid ones', async () => {
    await expect(initNodeBackend('gpu' as NodeBackendName)).rejects.toThrow(
      'Unknown backend "gpu": expected one of auto, tensorflow, wasm, cpu, webgpu',
    );
    expect(() => parseNodeBackendName(undefined)).toThrow(/Unknown backend undefined/);
    expect(parseNodeBackendName('wasm')).toBe('wasm');
  });

  it('explains how to install tfjs-node when tensorflow is asked for and absent', async () => {
    const error = await initNodeBackend('tensorflow').then(() => null, (e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toMatch(/@tensorflow\/tfjs-node-gpu: not installed/);
    expect(error?.message).toMatch(/@tensorflow\/tfjs-node: not installed/);
    expect(error?.message).toMatch(/npm install --no-save @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    expect(error?.message).toMatch(/CUDA 11\.2/);
  });

  it('auto falls back to wasm, with our kernels, and says why', async () => {
    const info = await initNodeBackend('auto');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.detail).toMatch(/^auto: tfjs-node not installed; tfjs-backend-wasm/);
    expect(info.detail).toContain('Conv2DBackpropFilter');
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'wasm')).toBeDefined();
  });

  it('switches to cpu and back to wasm', async () => {
    expect((await initNodeBackend('cpu')).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initNodeBackend('wasm')).backend).toBe('wasm');
    // A gradient that needs our kernel runs on wasm.
    const g = tf.grad((f: tf.Tensor) => tf.conv2d(tf.ones([1, 5, 5, 1]) as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid').sum());
    expect(Array.from(g(tf.zeros([3, 3, 1, 1])).dataSync())).toEqual(Array(9).fill(9));
  });

  it('disposeNodeBackend is harmless without webgpu', async () => {
    await initNodeBackend('wasm');
    await disposeNodeBackend();
    expect(tf.getBackend()).toBe('wasm');
  });
});
