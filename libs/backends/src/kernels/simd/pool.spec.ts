import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { seededTensor } from '../../testing.ts';
import { useSimdKernels, compare } from './kernel-spec-support.ts';

// pool.wat's kernels against tfjs's cpu backend, through the ops that emit them; each case also
// checks that the SIMD path (not a fallback) computed it.
useSimdKernels();

describe('max_pool_grad', () => {
  const cases: Array<[string, number[], number, number, boolean]> = [
    ['2×2 stride 2 after relu: ties of zeros go to the first', [4, 26, 26, 16], 2, 2, true],
    ['2×2 stride 2, odd input (last row and column unused)', [2, 11, 11, 32], 2, 2, false],
    ['3×3 stride 2: overlapping windows add up', [2, 9, 9, 8], 3, 2, true],
    ['2×2 stride 1: every cell in up to four windows', [1, 6, 7, 4], 2, 1, true],
  ];
  it.each(cases)('%s matches cpu', async (_name, xs, size, stride, relu) => {
    const { error, calls } = await compare('max_pool_grad', () => {
      const raw = seededTensor(xs, 5);
      const x = (relu ? tf.relu(raw) : raw) as tf.Tensor4D;
      const dy = seededTensor(tf.maxPool(x, size, stride, 'valid').shape, 6);
      return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, size, stride, 'valid'), dy)))(x)];
    });
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-6);
  });

  it('leaves padded pools and channels not in fours to the other path', async () => {
    for (const [xs, pad] of [[[2, 9, 9, 4], 'same'], [[2, 8, 8, 3], 'valid']] as const) {
      const { error, calls } = await compare('max_pool_grad', () => {
        const x = seededTensor([...xs], 7) as tf.Tensor4D;
        return [tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.maxPool(v as tf.Tensor4D, 3, 2, pad))))(x)];
      });
      expect(calls).toBe(0);
      expect(error).toBeLessThan(1e-6);
    }
  });
});

describe('max_pool', () => {
  const cases: Array<[string, number[], number, number, 'valid' | 'same', number]> = [
    ['2×2 stride 2 [64, 26, 26, 16]', [64, 26, 26, 16], 2, 2, 'valid', 1],
    ['3×3 stride 2, odd size, overlapping', [2, 11, 9, 8], 3, 2, 'valid', 1],
    ['2×2 stride 1', [1, 5, 6, 4], 2, 1, 'valid', 1],
    ['same padding (original path)', [2, 9, 9, 4], 3, 2, 'same', 0],
    ['channels not in fours (original path)', [2, 8, 8, 6], 2, 2, 'valid', 0],
  ];
  it.each(cases)('%s matches cpu', async (_name, xs, size, stride, pad, expectedCalls) => {
    const { error, calls } = await compare('max_pool', () => [tf.maxPool(seededTensor(xs, 28) as tf.Tensor4D, size, stride, pad)]);
    expect(calls).toBe(expectedCalls);
    expect(error).toBe(0);
  });
});
