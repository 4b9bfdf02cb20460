import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { rankedGrads, seededTensor } from '../../testing.ts';
import { useWinograd } from '../winograd.wasm.ts';
import { useSimdKernels, compare } from './kernel-spec-support.ts';

// conv2d_winograd_3x3 (winograd.wat) against tfjs's cpu backend: the forward conv with bias and
// relu, and the input gradient it also computes (as the valid conv of dy with the flipped filter).
useSimdKernels();
afterEach(() => useWinograd(true));

type Pad = 'valid' | 'same' | number;
const CASES: Array<[string, number[], number[], Pad]> = [
  ['the small CNN second layer (valid, 13 → 11: a last tile half outside)', [4, 13, 13, 16], [3, 3, 16, 32], 'valid'],
  ['the curriculum CNN second layer (same)', [3, 14, 14, 16], [3, 3, 16, 32], 'same'],
  ['odd height and even width, 8 → 16 channels', [2, 9, 12, 8], [3, 3, 8, 16], 'valid'],
  ['explicit pad 1, 32 → 16 channels', [1, 5, 5, 32], [3, 3, 32, 16], 1],
  ['explicit pad 2: the output larger than the input', [2, 8, 9, 16], [3, 3, 16, 24], 2],
  ['one pixel, same', [2, 1, 1, 8], [3, 3, 8, 8], 'same'],
];

describe('conv2d_winograd_3x3', () => {
  it.each(CASES)('forward with bias and relu: %s', async (_name, xs, fs, pad) => {
    const { error, calls } = await compare('conv2d_winograd_3x3', () => [
      tf.fused.conv2d({ x: seededTensor(xs, 1) as tf.Tensor4D, filter: seededTensor(fs, 2) as tf.Tensor4D, strides: 1, pad, bias: seededTensor([fs[3]!], 3), activation: 'relu' }),
    ]);
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-5);
  });

  it.each(CASES)('forward and both gradients: %s', async (_name, xs, fs, pad) => {
    const { error, calls } = await compare('conv2d_winograd_3x3', () =>
      rankedGrads((x: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(x, f, 1, pad).square().sum())([
        seededTensor(xs, 1) as tf.Tensor4D,
        seededTensor(fs, 2) as tf.Tensor4D,
      ]));
    // The forward pass, and the input gradient (its channels swapped: output channels in eights there too).
    expect(calls).toBe(fs[2]! % 8 === 0 ? 2 : 1);
    expect(error).toBeLessThan(1e-5);
  });

  it('leaves alone what it does not fit: 5×5, stride 2, dilation 2, a single input channel', async () => {
    const shapes: Array<[number[], number[], number, number]> = [[[2, 9, 9, 8], [5, 5, 8, 16], 1, 1], [[2, 9, 9, 8], [3, 3, 8, 16], 2, 1], [[2, 9, 9, 8], [3, 3, 8, 16], 1, 2], [[2, 9, 9, 1], [3, 3, 1, 16], 1, 1]];
    for (const [xs, fs, stride, dilation] of shapes) {
      const { error, calls } = await compare('conv2d_winograd_3x3', () => [
        tf.conv2d(seededTensor(xs, 1) as tf.Tensor4D, seededTensor(fs, 2) as tf.Tensor4D, stride, 'same', 'NHWC', dilation),
      ]);
      expect(calls).toBe(0);
      expect(error).toBeLessThan(1e-5);
    }
  });

  it('useWinograd(false) sends the conv to the direct kernel', async () => {
    useWinograd(false);
    const { calls } = await compare('conv2d_winograd_3x3', () => [tf.conv2d(seededTensor([1, 6, 6, 8], 1) as tf.Tensor4D, seededTensor([3, 3, 8, 8], 2) as tf.Tensor4D, 1, 'same')]);
    expect(calls).toBe(0);
  });
});
