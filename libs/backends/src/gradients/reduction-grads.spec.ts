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

type Reduce = (x: tf.Tensor, axis: number | number[], keepDims: boolean) => tf.Tensor;
type Case = readonly [string, readonly number[], number | readonly number[], boolean];

/** The gradient of sum(w · reduce(x, axis)) under the given config, on the given backend. */
async function reductionGradient(reduce: Reduce, config: tf.GradConfig, backend: string, [, shape, axis, keepDims]: Case): Promise<Float32Array> {
  await tf.setBackend(backend);
  tf.registerGradient(config);
  const ax = (typeof axis === 'number' ? axis : [...axis]) as number | number[];
  return tf.tidy(() => {
    const x = tf.randomNormal([...shape], 0, 1, 'float32', 1);
    const w = tf.randomNormal(reduce(x, ax, keepDims).shape, 0, 1, 'float32', 2);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(w, reduce(a, ax, keepDims))))(x).dataSync() as Float32Array;
  });
}

/** Ours against tfjs-core's gradient, bit for bit, on cpu and wasm. */
async function expectSameBits(reduce: Reduce, ours: tf.GradConfig, theirs: () => tf.GradConfig, c: Case): Promise<void> {
  for (const backend of ['cpu', 'wasm']) {
    const want = await reductionGradient(reduce, theirs(), backend, c);
    const got = await reductionGradient(reduce, ours, backend, c);
    expect(Array.from(got), backend).toEqual(Array.from(want));
  }
}

const CASES: readonly Case[] = [
  ['batch-norm moments: [n, h, w, c] over n, h, w', [4, 5, 6, 3], [0, 1, 2], false],
  ['keepDims', [4, 5, 6, 3], [0, 1, 2], true],
  ['layer norm: over the last axis', [8, 7], -1, true],
  ['a loss: over everything', [16, 10], [0, 1], false],
  ['middle axis', [3, 4, 5], 1, false],
];

describe.each([
  ['Mean', tf.mean as Reduce, broadcastMeanGradConfig, () => original],
  ['Sum', tf.sum as Reduce, broadcastSumGradConfig, () => originalSum],
] as const)('%s gradient without ones(x.shape)', (_name, reduce, ours, theirs) => {
  it.each(CASES)('matches tfjs-core bit for bit for %s, on cpu and wasm', async (...c) => {
    await expectSameBits(reduce, ours, theirs, c);
  });
});

describe('Mean gradient without ones(x.shape), on wasm', () => {
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
