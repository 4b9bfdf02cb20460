import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { rankedGrads, seededTensor } from '../../testing.ts';
import { useSimdKernels, compare } from './kernel-spec-support.ts';

// matmul.wat's kernels against tfjs's cpu backend, through the ops that emit them; each case also
// checks that the SIMD path (not a fallback) computed it.
useSimdKernels();

describe('matmul_bias_act (a dense layer forward on a shard)', () => {
  const cases: Array<[string, number, number, number, boolean, 'linear' | 'relu']> = [
    ['the MLP first layer, 32 rows, bias and relu', 32, 784, 128, true, 'relu'],
    ['rows not a multiple of 4 (the one-row tail)', 7, 19, 16, true, 'relu'],
    ['one row, no bias, no activation', 1, 5, 8, false, 'linear'],
    ['2,125 rows (half of a 4,250 batch)', 2125, 33, 24, true, 'linear'],
    ['a sum in three chunks of k (256 columns: 128 rows of b each), bias and relu after the last', 37, 300, 256, true, 'relu'],
    ['a wide product in two column panels (816 and 184 columns)', 21, 40, 1000, true, 'relu'],
  ];
  it.each(cases)('%s matches cpu', async (_name, m, k, n, withBias, activation) => {
    const { error, calls } = await compare('matmul_bias_act', () => [
      tf.fused.matMul({
        a: seededTensor([m, k], 40) as tf.Tensor2D,
        b: seededTensor([k, n], 41) as tf.Tensor2D,
        bias: withBias ? seededTensor([n], 42) : undefined,
        activation,
      }),
    ]);
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-5);
  });

  it('a plain product (a relu layer while training: tfjs fuses nothing under a tape) matches cpu', async () => {
    const { error, calls } = await compare('matmul_bias_act', () => [tf.matMul(seededTensor([33, 50], 48), seededTensor([50, 40], 49))]);
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-5);
  });

  const transposedA: Array<[string, number[], number[]]> = [
    ['the MLP weight gradient xᵀ·dy, [64 × 784]ᵀ·[64 × 128]', [64, 784], [64, 128]],
    ['rows of the product not in fours (33), a short sum (19)', [19, 33], [19, 16]],
    ['as a rank-3 batch of one', [1, 12, 50], [1, 12, 24]],
    ['over 1,000 samples: four chunks of k', [1000, 40], [1000, 128]],
  ];
  it.each(transposedA)('aᵀ·b read in place: %s matches cpu', async (_name, as, bs) => {
    const { error, calls } = await compare('matmul_bias_act', () => [tf.matMul(seededTensor(as, 50), seededTensor(bs, 51), true, false)]);
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-5);
  });

  it('its gradients, through the layer as training takes them, match cpu', async () => {
    const { error } = await compare('matmul_bias_act', () =>
      rankedGrads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'relu' }).square().sum())([
        seededTensor([12, 40], 43),
        seededTensor([40, 16], 44),
        seededTensor([16], 45),
      ]));
    expect(error).toBeLessThan(1e-5);
  });

  const fallbacks: Array<[string, () => tf.Tensor]> = [
    ['a width not a multiple of 8 (the 10-class output)', () => tf.fused.matMul({ a: seededTensor([4, 8], 46) as tf.Tensor2D, b: seededTensor([8, 10], 47) as tf.Tensor2D })],
    ['a transposed operand', () => tf.fused.matMul({ a: seededTensor([8, 4], 46) as tf.Tensor2D, b: seededTensor([8, 8], 47) as tf.Tensor2D, transposeA: true })],
    ['another activation', () => tf.fused.matMul({ a: seededTensor([4, 8], 46) as tf.Tensor2D, b: seededTensor([8, 8], 47) as tf.Tensor2D, activation: 'elu' })],
  ];
  it.each(fallbacks)('%s keeps tfjs\'s kernel, with the same answer', async (_name, fn) => {
    const { error, calls } = await compare('matmul_bias_act', () => [fn()]);
    expect(calls).toBe(0);
    expect(error).toBeLessThan(1e-5);
  });
});
