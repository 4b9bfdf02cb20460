import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { seededTensor, seededValues } from '../../testing.ts';
import { useSimdKernels, compare } from './kernel-spec-support.ts';

// elementwise.wat's kernels against tfjs's cpu backend, through the ops that emit them; each case also
// checks that the SIMD path (not a fallback) computed it.
useSimdKernels();

describe('sum_rows', () => {
  const cases: Array<[string, number[], number[], boolean]> = [
    ['conv bias gradient [64, 26, 26, 16] over N, H, W', [64, 26, 26, 16], [0, 1, 2], false],
    ['dense bias gradient, 40 columns (16-wide then 4-wide blocks)', [96, 40], [0], false],
    ['keepDims, 4 columns', [64, 5, 4], [0, 1], true],
  ];
  it.each(cases)('%s matches cpu', async (_name, shape, axes, keepDims) => {
    const { error, calls, got, want } = await compare('sum_rows', () => [tf.sum(seededTensor(shape, 8), axes, keepDims)]);
    expect(calls).toBe(1);
    expect(got[0]!.length).toBe(want[0]!.length);
    // 43,264 float32 additions per column (cpu sums in float32 too, in another order).
    expect(error).toBeLessThan(1e-4);
  });

  it.each([
    ['batch-norm moments [64, 28, 28, 16] over N, H, W', [64, 28, 28, 16], [0, 1, 2], false],
    ['keepDims, 8 columns', [10, 3, 8], [0, 1], true],
  ] as const)('Mean: %s matches cpu', async (_name, shape, axes, keepDims) => {
    const { error, calls } = await compare('sum_rows', () => [tf.mean(seededTensor([...shape], 29), [...axes], keepDims)]);
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-4);
  });

  it('stays within float32 rounding of cpu (which sums in float64) over 802,816 rows: a batch-norm sum over 1,024 images', async () => {
    // Positive values: every row adds to the sum, the worst case for a running float32 total. A single
    // running sum erred by 1e-5 here, which batch norm's gradient amplified to 2e-3 at that batch.
    const x = () => tf.add(tf.abs(seededTensor([1024, 28, 28, 4], 31)), 0.5);
    const { error, calls } = await compare('sum_rows', () => [tf.sum(x(), [0, 1, 2]), tf.mean(x(), [0, 1, 2])]);
    expect(calls).toBe(2);
    expect(error).toBeLessThan(2e-6);
  });

  it('keeps a cancelling sum over 802,816 rows close to cpu: a batch norm gradient over 1,024 images', async () => {
    // Zero-mean values, as a gradient's are: the sums come out ~1e-3 of Σ|x|, so rounding in the total
    // shows. With the blocks' sums added in float32 this erred by 3.7e-5 (and the curriculum CNN's
    // first batch-norm beta gradient by 2e-3 at this batch); added in float64, 2.4e-6.
    const { error, calls } = await compare('sum_rows', () => [tf.sum(seededTensor([1024, 28, 28, 16], 37), [0, 1, 2])]);
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-5);
  });

  it('sums a known matrix exactly, called directly on the wasm heap', async () => {
    await tf.setBackend('wasm');
    const values = seededValues(7 * 20, 9).map((v) => Math.round(v * 16));
    const x = tf.tensor2d(values, [7, 20]);
    const expected = Array.from({ length: 20 }, (_, c) => values.filter((_, i) => i % 20 === c).reduce((a, b) => a + b, 0));
    const sum = tf.sum(x, 0);
    expect(Array.from(sum.dataSync())).toEqual(expected);
    tf.dispose([x, sum]);
  });

  it('leaves columns not in fours, and other axes, to the original kernel', async () => {
    const { error, calls } = await compare('sum_rows', () => [tf.sum(seededTensor([64, 3, 6], 10), [0, 1]), tf.sum(seededTensor([8, 16], 11), 1)]);
    expect(calls).toBe(0);
    expect(error).toBeLessThan(1e-5);
  });
});

describe('channel_op', () => {
  const cases: Array<[string, () => tf.Tensor]> = [
    ['conv bias [64, 26, 26, 16] + [16]', () => tf.add(seededTensor([64, 26, 26, 16], 16), seededTensor([16], 17))],
    ['dense bias [32, 128] + [128]', () => tf.add(seededTensor([32, 128], 16), seededTensor([128], 17))],
    ['vector first: [1, 1, 8] + [5, 6, 8]', () => tf.add(seededTensor([1, 1, 8], 17), seededTensor([5, 6, 8], 16))],
    ['batch norm centring: x − mean', () => tf.sub(seededTensor([64, 14, 14, 32], 18), seededTensor([1, 1, 1, 32], 19))],
    ['vector first: mean − x', () => tf.sub(seededTensor([32], 19), seededTensor([64, 14, 14, 32], 18))],
    ['scaling: x · scale', () => tf.mul(seededTensor([64, 14, 14, 32], 20), seededTensor([32], 21))],
    ['vector first: scale · x', () => tf.mul(seededTensor([1, 32], 21), seededTensor([9, 32], 20))],
  ];
  it.each(cases)('%s matches cpu exactly', async (_name, make) => {
    const { error, calls } = await compare('channel_op', () => [make()]);
    expect(calls).toBe(1);
    expect(error).toBe(0);
  });

  it('leaves other shapes and dtypes to the original kernels', async () => {
    const { error, calls } = await compare('channel_op', () => [
      tf.add(seededTensor([6, 8], 18), seededTensor([6, 8], 19)),
      tf.sub(seededTensor([6, 6], 20), seededTensor([6, 1], 21)),
      tf.mul(seededTensor([4, 6], 22), seededTensor([6], 23)),
      tf.add(seededTensor([1, 8], 24), seededTensor([8], 25)),
      tf.add(tf.range(0, 8, 1, 'int32').reshape([2, 4]), tf.tensor1d([1, 2, 3, 4], 'int32')),
    ]);
    expect(calls).toBe(0);
    expect(error).toBe(0);
  });
});

describe('channel_affine', () => {
  const stats = (c: number, seed: number) => ({
    mean: seededTensor([c], seed),
    variance: tf.add(seededTensor([c], seed + 1), 0.6),
    offset: seededTensor([c], seed + 2),
    scale: tf.add(seededTensor([c], seed + 3), 1),
  });
  it.each([
    ['the first conv activation [64, 28, 28, 16]', [64, 28, 28, 16], true],
    ['dense features [32, 128]', [32, 128], true],
    ['no offset or scale', [8, 5, 12], false],
  ] as const)('batch norm of %s matches cpu', async (_name, shape, affine) => {
    const { error, calls } = await compare('channel_affine', () => {
      const c = shape[shape.length - 1]!;
      const s = stats(c, 33);
      const x = seededTensor([...shape], 40);
      return [affine ? tf.batchNorm(x, s.mean, s.variance, s.offset, s.scale, 1e-3) : tf.batchNorm(x, s.mean, s.variance, undefined, undefined, 1e-3)];
    });
    expect(calls).toBe(1);
    expect(error).toBeLessThan(1e-5);
  });

  it('leaves full-shape statistics and channels not in fours to the original kernel', async () => {
    const { error, calls } = await compare('channel_affine', () => {
      const x = seededTensor([4, 6], 41);
      const full = tf.batchNorm(x, seededTensor([4, 6], 42), tf.add(seededTensor([4, 6], 43), 1), undefined, undefined, 1e-3);
      const s = stats(6, 44);
      return [full, tf.batchNorm(x, s.mean, s.variance, s.offset, s.scale, 1e-3)];
    });
    expect(calls).toBe(0);
    expect(error).toBeLessThan(1e-5);
  });
});

describe('relu_grad', () => {
  it.each([[[64, 26, 26, 16]], [[7, 5]], [[3]]])('relu gradient of shape %j matches cpu (zeros included)', async (shape) => {
    const { error, calls } = await compare('relu_grad', () => {
      const x = tf.relu(seededTensor(shape, 26)).sub(0.1);
      const dy = seededTensor(shape, 27);
      return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), dy)))(x)];
    });
    expect(calls).toBe(1);
    expect(error).toBe(0);
  });

  it('gives NaN where the input is NaN, as dy · step(x) does', async () => {
    const { got, want, calls } = await compare('relu_grad', () => {
      const x = tf.tensor1d([NaN, -1, 2, 0, NaN]);
      return [tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x)];
    });
    expect(calls).toBe(1);
    expect(Array.from(got[0]!)).toEqual(Array.from(want[0]!));
    expect(Array.from(got[0]!)).toEqual([NaN, 0, 1, 0, NaN]);
  });
});
