import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { installWasmFastPaths } from './register.ts';
import { computeOn, seededTensor, worstRelativeError } from '../testing.ts';

// Sums on wasm (with the product for leading axes) against cpu, including the cases left to the original.
describe('Sum over leading axes on wasm', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    installWasmFastPaths();
  });

  const cases: [string, number[], number | number[], boolean][] = [
    ['conv bias gradient: NHWC over N, H, W (original path: too large to pack)', [64, 11, 11, 32], [0, 1, 2], false],
    ['dense output bias gradient: over the batch', [96, 10], 0, false],
    ['dense hidden bias gradient (original path: too large to pack)', [96, 40], 0, false],
    ['keepDims', [64, 5, 3], [0, 1], true],
    ['negative axes, unordered', [16, 8, 6, 3], [-3, -4, -2], false],
    ['not leading (original path)', [64, 9, 5], [1, 2], false],
    ['every axis (original path)', [80, 7], [0, 1], false],
    ['few rows (original path)', [4, 6, 10], [0, 1], false],
  ];
  for (const [name, shape, axis, keepDims] of cases) {
    it(`${name} matches cpu`, async () => {
      const run = () => [tf.sum(seededTensor(shape, 7), axis, keepDims)];
      const want = await computeOn('cpu', run);
      const got = await computeOn('wasm', run);
      expect(got[0]!.length).toBe(want[0]!.length);
      expect(worstRelativeError(got, want)).toBeLessThan(1e-5);
    });
  }

  it('keeps the output shape, leaves int32 sums exact, and leaks nothing', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      expect(tf.sum(tf.ones([64, 3, 2]), [0, 1], true).shape).toEqual([1, 1, 2]);
      expect(tf.sum(tf.ones([64, 3, 2]), [0, 1]).shape).toEqual([2]);
      const ints = tf.sum(tf.range(0, 128, 1, 'int32').reshape([64, 2]), 0);
      expect(ints.dtype).toBe('int32');
      expect(Array.from(ints.dataSync())).toEqual([63 * 64, 64 * 64]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same bias gradient of a conv layer as cpu', async () => {
    const grad = () => {
      const x = seededTensor([64, 9, 9, 3], 3);
      const b = seededTensor([8], 4);
      const w = seededTensor([3, 3, 3, 8], 5);
      return [tf.grad((bv: tf.Tensor) => tf.sum(tf.square(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'), bv))))(b)];
    };
    const want = await computeOn('cpu', grad);
    const got = await computeOn('wasm', grad);
    expect(worstRelativeError(got, want)).toBeLessThan(1e-4);
  });
});
