import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { rankedGrads, seededTensor, seededValues, worstRelativeError } from '../../testing.ts';
import { gradientKernelCalls } from './gradient-kernels.ts';
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
    const filterGradsBefore = gradientKernelCalls().conv2d_winograd_3x3_filter_grad;
    const { error, calls } = await compare('conv2d_winograd_3x3', () =>
      rankedGrads((x: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(x, f, 1, pad).square().sum())([
        seededTensor(xs, 1) as tf.Tensor4D,
        seededTensor(fs, 2) as tf.Tensor4D,
      ]));
    // The forward pass, and the input gradient (its channels swapped: output channels in eights there too).
    expect(calls).toBe(fs[2]! % 8 === 0 ? 2 : 1);
    expect(gradientKernelCalls().conv2d_winograd_3x3_filter_grad - filterGradsBefore).toBe(1);
    expect(error).toBeLessThan(1e-5);
  });

  it('sums the filter gradient over 256 images within float32 rounding of the float64 sum', async () => {
    // Positive values, the worst case for a running sum: each block's sums are added to the total once.
    await tf.setBackend('wasm');
    const [n, h, w, ci, co] = [256, 14, 14, 8, 16];
    const xv = seededValues(n * h * w * ci, 32).map((v) => Math.abs(v) + 0.5);
    const gv = seededValues(n * h * w * co, 33).map((v) => Math.abs(v) + 0.1);
    const want = new Float64Array(9 * ci * co);
    for (let b = 0; b < n; b++) for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const [y, x] = [r + i - 1, q + j - 1];
      if (y < 0 || y >= h || x < 0 || x >= w) continue;
      for (let a = 0; a < ci; a++) {
        const xval = Math.fround(xv[((b * h + y) * w + x) * ci + a]!);
        const g = ((b * h + r) * w + q) * co;
        for (let o = 0; o < co; o++) want[((i * 3 + j) * ci + a) * co + o] += xval * Math.fround(gv[g + o]!);
      }
    }
    const before = gradientKernelCalls().conv2d_winograd_3x3_filter_grad;
    const got = tf.tidy(() => {
      const x = tf.tensor4d(xv, [n, h, w, ci]);
      const dy = tf.tensor(gv, [n, h, w, co]);
      return tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 1, 'same'), dy)))(tf.zeros([3, 3, ci, co]));
    });
    expect(gradientKernelCalls().conv2d_winograd_3x3_filter_grad - before).toBe(1);
    const error = worstRelativeError([got.dataSync() as Float32Array], [Float32Array.from(want)]);
    // Measured 9.6e-7.
    expect(error).toBeLessThan(2e-6);
    got.dispose();
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

describe('the Winograd modules', () => {
  const generator = fileURLToPath(new URL('../../../../../scripts/winograd-wat.py', import.meta.url));
  const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
  it.skipIf(python === undefined).each(['winograd.wat', 'winograd-filter-grad.wat'])('%s is what scripts/winograd-wat.py writes (edit the generator, not the .wat)', (name) => {
    const generated = execFileSync(python!, [generator, '--stdout', name], { encoding: 'utf8' });
    expect(readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')).toBe(generated);
  });
});
