import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcastMeanGradConfig, broadcastSumGradConfig } from './reduction-grads.ts';

/** tfjs-core's own gradients, as registered before ours replace them. */
let original: tf.GradConfig;
let originalSum: tf.GradConfig;

beforeAll(() => {
  original = tf.getGradient(tf.Mean)!;
  originalSum = tf.getGradient(tf.Sum)!;
});
afterAll(() => {
  tf.registerGradient(original);
  tf.registerGradient(originalSum);
});

/** The gradient of sum(w · mean(x, axis)) under the given config, on the given backend. */
async function meanGradient(config: tf.GradConfig, backend: string, shape: number[], axis: number | number[], keepDims: boolean): Promise<Float32Array> {
  await tf.setBackend(backend);
  tf.registerGradient(config);
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
    const w = tf.randomNormal(tf.mean(x, axis, keepDims).shape, 0, 1, 'float32', 2);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(w, tf.mean(a, axis, keepDims))))(x).dataSync() as Float32Array;
  });
}

describe('Mean gradient without ones(x.shape)', () => {
  it.each([
    ['batch-norm moments: [n, h, w, c] over n, h, w', [4, 5, 6, 3], [0, 1, 2], false],
    ['keepDims', [4, 5, 6, 3], [0, 1, 2], true],
    ['layer norm: over the last axis', [8, 7], -1, true],
    ['a loss: over everything', [16, 10], [0, 1], false],
    ['middle axis', [3, 4, 5], 1, false],
  ] as const)('matches tfjs-core bit for bit for %s, on cpu and wasm', async (_name, shape, axis, keepDims) => {
    for (const backend of ['cpu', 'wasm']) {
      const want = await meanGradient(original, backend, [...shape], axis as number | number[], keepDims);
      const got = await meanGradient(broadcastMeanGradConfig, backend, [...shape], axis as number | number[], keepDims);
      expect(Array.from(got), backend).toEqual(Array.from(want));
    }
  });

  it('uploads no input-sized array from JavaScript (tfjs-core uploads its ones)', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { move: (...args: unknown[]) => void };
    const move = backend.move;
    const x = tf.randomNormal([16, 14, 14, 8]);
    /** Sizes of the arrays moved from JS into wasm memory while taking the gradient. */
    const uploads = (config: tf.GradConfig) => {
      tf.registerGradient(config);
      const sizes: number[] = [];
      backend.move = (...args: unknown[]) => {
        sizes.push((args[1] as ArrayLike<number> | null)?.length ?? 0);
        move.apply(backend, args);
      };
      try {
        tf.tidy(() => tf.grad((a: tf.Tensor) => tf.mean(a, [0, 1, 2]).sum())(x).dataSync());
      } finally {
        backend.move = move;
      }
      return sizes;
    };
    expect(uploads(original).some((n) => n >= x.size)).toBe(true);
    expect(uploads(broadcastMeanGradConfig).every((n) => n < x.size)).toBe(true);
    x.dispose();
  });
});

/** The gradient of sum(w · sum(x, axis)) under the given config, on the given backend. */
async function sumGradient(config: tf.GradConfig, backend: string, shape: number[], axis: number | number[], keepDims: boolean): Promise<Float32Array> {
  await tf.setBackend(backend);
  tf.registerGradient(config);
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
    const w = tf.randomNormal(tf.sum(x, axis, keepDims).shape, 0, 1, 'float32', 4);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(w, tf.sum(a, axis, keepDims))))(x).dataSync() as Float32Array;
  });
}

describe('Sum gradient without ones(x.shape)', () => {
  it.each([
    ['[n, h, w, c] over n, h, w', [4, 5, 6, 3], [0, 1, 2], false],
    ['keepDims, last axis', [8, 7], -1, true],
    ['everything', [16, 10], [0, 1], false],
    ['middle axis', [3, 4, 5], 1, false],
  ] as const)('matches tfjs-core bit for bit for %s, on cpu and wasm', async (_name, shape, axis, keepDims) => {
    for (const backend of ['cpu', 'wasm']) {
      const want = await sumGradient(originalSum, backend, [...shape], axis as number | number[], keepDims);
      const got = await sumGradient(broadcastSumGradConfig, backend, [...shape], axis as number | number[], keepDims);
      expect(Array.from(got), backend).toEqual(Array.from(want));
    }
  });
});
