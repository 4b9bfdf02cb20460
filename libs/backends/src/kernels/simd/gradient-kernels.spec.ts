import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeOn, rankedGrads, seededTensor, seededValues, worstRelativeError } from '../../testing.ts';
import { installWasmFastPaths, registerWasmKernels } from '../register.ts';
import { gradientKernelCalls, gradientKernelsFor } from './gradient-kernels.ts';
import { loadGradientKernels } from './load-gradient-kernels.node.ts';

// The SIMD kernels against tfjs's cpu backend, through the ops that emit them; each case also
// checks that the SIMD path (not a fallback) computed it.
beforeAll(async () => {
  registerWasmKernels();
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmFastPaths();
  expect(await loadGradientKernels(tf.backend() as BackendWasm)).toBe(true);
});

type Kernel = keyof ReturnType<typeof gradientKernelCalls>;

/** cpu's answer, wasm's answer, and how many times `kernel` ran while wasm computed it. */
async function compare(kernel: Kernel, fn: () => tf.Tensor[]) {
  const want = await computeOn('cpu', fn);
  const before = gradientKernelCalls()[kernel];
  const got = await computeOn('wasm', fn);
  return { error: worstRelativeError(got, want), calls: gradientKernelCalls()[kernel] - before, got, want };
}

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

describe('the module', () => {
  it('is bound to the backend whose memory it imports, and leaks no tensors', async () => {
    await tf.setBackend('wasm');
    expect(gradientKernelsFor(tf.backend() as BackendWasm)).not.toBeNull();
    const x = seededTensor([2, 8, 8, 4], 12) as tf.Tensor4D;
    const f = seededTensor([3, 3, 4, 16], 13) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same').add<tf.Tensor4D>(1), 2, 2, 'valid')))([x, f]).map((g) => g.dataSync()));
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f]);
  });
});
