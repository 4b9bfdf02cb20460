import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankedGrads, seededTensor, seededValues, worstRelativeError } from '../../testing.ts';
import { gradientKernelCalls } from './gradient-kernels.ts';
import { useSimdKernels, compare } from './kernel-spec-support.ts';
import { useWinograd } from '../winograd.wasm.ts';

// conv.wat's kernels against tfjs's cpu backend, through the ops that emit them; each case also
// checks that the SIMD path (not a fallback) computed it.
useSimdKernels();
// The direct kernels, here on 3×3 stride-1 shapes too, which Winograd takes otherwise (winograd.spec.ts).
beforeAll(() => useWinograd(false));
afterAll(() => useWinograd(true));

describe('conv2d_filter_grad', () => {
  const cases: Array<[string, number[], number[], number | [number, number], 'valid' | 'same' | number, number]> = [
    ['the small CNN first layer (1 → 16)', [4, 28, 28, 1], [3, 3, 1, 16], 1, 'valid', 1],
    ['the small CNN second layer (16 → 32)', [4, 13, 13, 16], [3, 3, 16, 32], 1, 'valid', 1],
    ['stride 2 same: padding on every side', [2, 9, 9, 3], [3, 3, 3, 16], 2, 'same', 1],
    ['strides [2, 3], 5×5, rows the forward pass never reached', [2, 12, 14, 2], [5, 5, 2, 16], [2, 3], 'valid', 1],
    ['explicit pad 2, 64 output channels', [1, 7, 8, 5], [3, 3, 5, 64], 1, 2, 1],
    ['1×1 stride 2', [3, 8, 8, 6], [1, 1, 6, 32], 2, 'valid', 1],
  ];
  it.each(cases)('%s matches cpu', async (_name, xs, fs, strides, pad, dilation) => {
    const { error, calls } = await compare('conv2d_filter_grad', () =>
      rankedGrads((x: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(x, f, strides, pad, 'NHWC', dilation).square().sum())([
        seededTensor(xs, 1) as tf.Tensor4D,
        seededTensor(fs, 2) as tf.Tensor4D,
      ]));
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-5);
  });

  it('sums over 512 images within float32 rounding of the float64 sum', async () => {
    // Each image's sums are added to the total once: a single running float32 sum over all 346,112
    // output pixels erred by 1e-5 at 1,024 images. Positive values, the worst case for a running sum.
    await tf.setBackend('wasm');
    const [n, h, w, k, co] = [512, 28, 28, 3, 16];
    const [oh, ow] = [h - k + 1, w - k + 1];
    const xv = seededValues(n * h * w, 32).map((v) => Math.abs(v) + 0.5);
    const gv = seededValues(n * oh * ow * co, 33).map((v) => Math.abs(v) + 0.1);
    const want = new Float64Array(k * k * co);
    for (let b = 0; b < n; b++) for (let r = 0; r < oh; r++) for (let q = 0; q < ow; q++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      const xval = Math.fround(xv[(b * h + r + i) * w + q + j]!);
      const g = (b * oh * ow + r * ow + q) * co;
      for (let o = 0; o < co; o++) want[(i * k + j) * co + o] += xval * Math.fround(gv[g + o]!);
    }
    const before = gradientKernelCalls().conv2d_filter_grad;
    const got = tf.tidy(() => {
      const x = tf.tensor4d(xv, [n, h, w, 1]);
      const dy = tf.tensor(gv, [n, oh, ow, co]);
      // d/dw Σ conv(x, w)·dy is the filter gradient of dy.
      return tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 1, 'valid'), dy)))(tf.zeros([k, k, 1, co]));
    });
    expect(gradientKernelCalls().conv2d_filter_grad - before).toBe(1);
    expect(worstRelativeError([got.dataSync() as Float32Array], [Float32Array.from(want)])).toBeLessThan(2e-6);
    got.dispose();
  });

  it('dilation 2 with padding (no tfjs gradient emits it): matches the defining sum', async () => {
    await tf.setBackend('wasm');
    const [n, h, w, ci, co, k, d, pad] = [2, 10, 9, 3, 16, 3, 2, 2];
    const oh = h + 2 * pad - d * (k - 1);
    const ow = w + 2 * pad - d * (k - 1);
    const xv = seededValues(n * h * w * ci, 14);
    const gv = seededValues(n * oh * ow * co, 15);
    const want = new Float64Array(k * k * ci * co);
    for (let b = 0; b < n; b++) for (let r = 0; r < oh; r++) for (let q = 0; q < ow; q++)
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
        const y = r + i * d - pad;
        const z = q + j * d - pad;
        if (y < 0 || y >= h || z < 0 || z >= w) continue;
        for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) {
          want[((i * k + j) * ci + c) * co + o] += xv[((b * h + y) * w + z) * ci + c]! * gv[((b * oh + r) * ow + q) * co + o]!;
        }
      }
    const before = gradientKernelCalls().conv2d_filter_grad;
    const x = tf.tensor4d(xv, [n, h, w, ci]);
    const dy = tf.tensor4d(gv, [n, oh, ow, co]);
    const got = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
      strides: 1, pad, dataFormat: 'NHWC', dilations: d, filterShape: [k, k, ci, co],
    }) as tf.Tensor;
    expect(gradientKernelCalls().conv2d_filter_grad - before).toBe(1);
    expect(worstRelativeError([got.dataSync()], [want])).toBeLessThan(1e-5);
    tf.dispose([x, dy, got]);
  });

  it('leaves output channels that are not a multiple of 16 to the other path', async () => {
    const { error, calls } = await compare('conv2d_filter_grad', () =>
      rankedGrads((x: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(x, f, 1, 'same').square().sum())([
        seededTensor([2, 6, 6, 3], 3) as tf.Tensor4D,
        seededTensor([3, 3, 3, 12], 4) as tf.Tensor4D,
      ]));
    expect(calls).toBe(0);
    expect(error).toBeLessThan(1e-5);
  });
});

describe('conv2d_input_grad', () => {
  const cases: Array<[string, number[], number[], 'valid' | 'same' | number, number]> = [
    ['a first layer: 1 channel from 16, same', [4, 28, 28, 1], [3, 3, 1, 16], 'same', 1],
    ['2 channels from 8, valid', [2, 9, 7, 2], [3, 3, 2, 8], 'valid', 1],
    ['5×5 with explicit padding 1', [2, 8, 8, 1], [5, 5, 1, 4], 1, 1],
    ['more input channels (XNNPACK path)', [2, 8, 8, 3], [3, 3, 3, 8], 'same', 0],
  ];
  it.each(cases)('%s matches cpu', async (_name, xs, fs, pad, expectedCalls) => {
    const { error, calls } = await compare('conv2d_input_grad', () => {
      const x = seededTensor(xs, 30) as tf.Tensor4D;
      const f = seededTensor(fs, 31) as tf.Tensor4D;
      const dy = seededTensor(tf.conv2d(x, f, 1, pad).shape, 32);
      return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(v as tf.Tensor4D, f, 1, pad), dy)))(x)];
    });
    expect(calls).toBe(expectedCalls);
    expect(error).toBeLessThan(1e-5);
  });
});

describe('conv2d_valid (forward Conv2D)', () => {
  const cases: Array<[string, number[], number[], number | [number, number], 'valid' | 'same' | number, number]> = [
    ['the small CNN first layer (1 → 16)', [4, 28, 28, 1], [3, 3, 1, 16], 1, 'valid', 1],
    ['the small CNN second layer (16 → 32), 3 images: rows not in fours', [3, 13, 13, 16], [3, 3, 16, 32], 1, 'valid', 1],
    ['same padding (padded first), 5×5', [2, 9, 10, 3], [5, 5, 3, 8], 1, 'same', 1],
    ['strides [2, 3] same, rows the windows never reach', [2, 12, 14, 4], [3, 3, 4, 24], [2, 3], 'same', 1],
    ['dilation 2, explicit padding 1', [2, 10, 9, 5], [3, 3, 5, 16], 1, 1, 2],
    ['one output pixel per image', [5, 3, 3, 2], [3, 3, 2, 8], 1, 'valid', 1],
  ];
  it.each(cases)('%s: value and gradients match cpu', async (_name, xs, fs, strides, pad, dilation) => {
    const { error, calls } = await compare('conv2d_valid', () => {
      const x = seededTensor(xs, 40) as tf.Tensor4D;
      const f = seededTensor(fs, 41) as tf.Tensor4D;
      const y = tf.conv2d(x, f, strides, pad, 'NHWC', dilation);
      // tfjs has no conv gradient for dilations > 1: the value alone there.
      if (dilation > 1) return [y];
      return [y, ...rankedGrads((a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, strides, pad, 'NHWC', dilation).square().sum())([x, f])];
    });
    expect(calls).toBeGreaterThanOrEqual(dilation > 1 ? 1 : 2);
    expect(error).toBeLessThan(1e-5);
  });

  it('fuses bias and relu where tfjs fuses them (inference)', async () => {
    const { error, calls } = await compare('conv2d_valid', () => {
      const x = seededTensor([3, 11, 11, 6], 42) as tf.Tensor4D;
      const f = seededTensor([3, 3, 6, 16], 43) as tf.Tensor4D;
      const bias = seededTensor([16], 44) as tf.Tensor1D;
      return [
        tf.fused.conv2d({ x, filter: f, bias, activation: 'relu', pad: 'same', strides: 1 }),
        tf.fused.conv2d({ x, filter: f, bias, pad: 'valid', strides: 2 }),
      ];
    });
    expect(calls).toBe(2);
    expect(error).toBeLessThan(1e-5);
  });

  it('leaves output channels not in eights, and other activations, to the original kernels', async () => {
    const { error, calls } = await compare('conv2d_valid', () => {
      const x = seededTensor([2, 8, 8, 3], 45) as tf.Tensor4D;
      return [
        tf.conv2d(x, seededTensor([3, 3, 3, 12], 46) as tf.Tensor4D, 1, 'same'),
        tf.fused.conv2d({ x, filter: seededTensor([3, 3, 3, 8], 47) as tf.Tensor4D, activation: 'sigmoid', pad: 'valid', strides: 1 }),
      ];
    });
    expect(calls).toBe(0);
    expect(error).toBeLessThan(1e-5);
  });
});

describe('conv2d_input_grad_scatter', () => {
  const cases: Array<[string, number[], number[], number | [number, number], 'valid' | 'same' | number]> = [
    ['the small CNN second layer (16 from 32), 3 images', [3, 13, 13, 16], [3, 3, 16, 32], 1, 'valid'],
    ['same padding: a padded dx, then cropped', [2, 9, 9, 8], [3, 3, 8, 16], 1, 'same'],
    ['stride 2 same, odd input: no zero stuffing', [2, 11, 11, 8], [3, 3, 8, 8], 2, 'same'],
    ['strides [3, 2] valid, 5×5: rows the forward pass never read stay zero', [2, 14, 13, 16], [5, 5, 16, 8], [3, 2], 'valid'],
    ['explicit padding 2, 1×1 filter', [1, 5, 6, 24], [1, 1, 24, 8], 1, 2],
  ];
  it.each(cases)('%s matches cpu', async (_name, xs, fs, strides, pad) => {
    const { error, calls } = await compare('conv2d_input_grad_scatter', () => {
      const x = seededTensor(xs, 50) as tf.Tensor4D;
      const f = seededTensor(fs, 51) as tf.Tensor4D;
      const dy = seededTensor(tf.conv2d(x, f, strides, pad).shape, 52);
      return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(v as tf.Tensor4D, f, strides, pad), dy)))(x)];
    });
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-5);
  });
});
