import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { installWasmFastPaths } from './register.ts';
import { computeOn, seededTensor, worstRelativeError } from '../testing.ts';

// Same spec on wasm (our replacements installed) and on cpu: the gradients must agree.
beforeAll(() => {
  installWasmFastPaths();
});

describe('Conv2DBackpropInput on wasm', () => {
  const cases: [string, number[], number[], number, 'valid' | 'same'][] = [
    ['3×3 valid, stride 1 (the small CNN)', [4, 13, 13, 16], [3, 3, 16, 32], 1, 'valid'],
    ['3×3 same, stride 1', [2, 9, 9, 3], [3, 3, 3, 5], 1, 'same'],
    ['3×3 same, stride 2, odd size', [2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'],
    ['5×5 valid, stride 2', [1, 12, 11, 2], [5, 5, 2, 3], 2, 'valid'],
    ['1×1, stride 3', [2, 7, 7, 4], [1, 1, 4, 2], 3, 'valid'],
  ];
  for (const [name, xs, fs, stride, pad] of cases) {
    it(`${name} matches cpu`, async () => {
      const grad = () => {
        const x = seededTensor(xs, 1);
        const f = seededTensor(fs, 2);
        const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, pad);
        const dy = seededTensor(y.shape as number[], 3);
        return [tf.grad((xv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xv as tf.Tensor4D, f as tf.Tensor4D, stride, pad), dy)))(x)];
      };
      const want = await computeOn('cpu', grad);
      const got = await computeOn('wasm', grad);
      expect(got[0]!.length).toBe(want[0]!.length);
      expect(worstRelativeError(got, want)).toBeLessThan(1e-5);
    });
  }
});

describe('MaxPoolGrad on wasm', () => {
  const cases: [string, number[], number, number, 'valid' | 'same', boolean][] = [
    ['2×2 stride 2 after relu (ties of zeros)', [4, 26, 26, 16], 2, 2, 'valid', true],
    ['3×3 stride 2 same (overlapping windows)', [2, 9, 9, 3], 3, 2, 'same', false],
    ['2×2 stride 1 valid', [1, 6, 7, 2], 2, 1, 'valid', true],
  ];
  for (const [name, xs, size, stride, pad, relu] of cases) {
    it(`${name} matches cpu`, async () => {
      const grad = () => {
        const raw = seededTensor(xs, 4);
        const x = relu ? tf.relu(raw) : raw;
        const y = tf.maxPool(x as tf.Tensor4D, size, stride, pad);
        const dy = seededTensor(y.shape as number[], 5);
        return [tf.grad((xv: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xv as tf.Tensor4D, size, stride, pad), dy)))(x)];
      };
      const want = await computeOn('cpu', grad);
      const got = await computeOn('wasm', grad);
      expect(worstRelativeError(got, want)).toBeLessThan(1e-6);
    });
  }

  it('leaks no tensors across repeated gradient steps', async () => {
    await tf.setBackend('wasm');
    const x = seededTensor([2, 8, 8, 3], 6);
    const f = seededTensor([3, 3, 3, 4], 7);
    const step = () => tf.tidy(() => tf.grad((xv: tf.Tensor) => tf.sum(tf.maxPool(tf.conv2d(xv as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), 2, 2, 'valid')))(x).dataSync());
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f]);
  });
});
