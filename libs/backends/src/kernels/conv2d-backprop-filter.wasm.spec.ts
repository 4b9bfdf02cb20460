import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeOn, rankedGrads, seededTensor, worstRelativeError } from '../testing.ts';
import { registerWasmKernels } from './register.ts';

// Same spec, every backend: each case runs on the cpu reference and on every backend listed here.
const BACKENDS = ['wasm'];
// wasm (XNNPACK, float32 sums) vs cpu (float64 sums) differ by ~1e-7 here; 1e-5 leaves headroom.
const RTOL = 1e-5;

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Grads = () => tf.Tensor[];

const t4 = (shape: number[], seed: number) => seededTensor(shape, seed) as tf.Tensor4D;

function conv2dGrads(xShape: number[], fShape: number[], strides: number | [number, number], pad: Pad): Grads {
  return () => {
    const g = rankedGrads((x: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(x, f, strides, pad).square().sum());
    return g([t4(xShape, 1), t4(fShape, 2)]);
  };
}

/** Runs the kernel itself, for attributes no tfjs op gradient emits (NCHW, ceil rounding). */
function kernelDirect(xShape: number[], dyShape: number[], attrs: tf.NamedAttrMap): Grads {
  return () => [tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: t4(xShape, 3), dy: t4(dyShape, 4) }, attrs) as tf.Tensor];
}

const cases: Array<[string, Grads]> = [
  ['conv2d 3x3 stride 1 same', conv2dGrads([2, 9, 9, 3], [3, 3, 3, 4], 1, 'same')],
  ['conv2d 3x3 stride 2 same', conv2dGrads([2, 9, 9, 3], [3, 3, 3, 4], 2, 'same')],
  ['conv2d 3x2 strides [2,3] valid', conv2dGrads([2, 10, 9, 3], [3, 2, 3, 4], [2, 3], 'valid')],
  ['conv2d 5x5 stride 3 valid (unused last rows: crop)', conv2dGrads([3, 12, 12, 2], [5, 5, 2, 3], 3, 'valid')],
  ['conv2d pad 1 (number)', conv2dGrads([1, 8, 8, 2], [3, 3, 2, 5], 1, 1)],
  ['conv2d explicit pad, stride 2', conv2dGrads([2, 9, 7, 3], [3, 3, 3, 2], 2, [[0, 0], [1, 2], [0, 1], [0, 0]])],
  ['conv2d 1x1 stride 2', conv2dGrads([2, 8, 8, 6], [1, 1, 6, 4], 2, 'valid')],
  ['conv2d 28x28 first CNN layer', conv2dGrads([4, 28, 28, 1], [3, 3, 1, 16], 1, 'valid')],
  ['conv1d stride 2 same', () => {
    const g = rankedGrads((x: tf.Tensor3D, f: tf.Tensor3D) => tf.conv1d(x, f, 2, 'same').square().sum());
    return g([seededTensor([2, 20, 3], 5) as tf.Tensor3D, seededTensor([5, 3, 4], 6) as tf.Tensor3D]);
  }],
  ['conv1d stride 1 valid', () => {
    const g = rankedGrads((x: tf.Tensor3D, f: tf.Tensor3D) => tf.conv1d(x, f, 1, 'valid').square().sum());
    return g([seededTensor([3, 16, 2], 7) as tf.Tensor3D, seededTensor([3, 2, 6], 8) as tf.Tensor3D]);
  }],
  ['separableConv2d stride 1 same', () => {
    const g = rankedGrads((x: tf.Tensor4D, d: tf.Tensor4D, p: tf.Tensor4D) =>
      tf.separableConv2d(x, d, p, 1, 'same').square().sum());
    return g([t4([2, 9, 9, 3], 9), t4([3, 3, 3, 2], 10), t4([1, 1, 6, 5], 11)]);
  }],
  ['separableConv2d stride 2 valid', () => {
    const g = rankedGrads((x: tf.Tensor4D, d: tf.Tensor4D, p: tf.Tensor4D) =>
      tf.separableConv2d(x, d, p, 2, 'valid').square().sum());
    return g([t4([2, 11, 10, 4], 12), t4([3, 3, 4, 1], 13), t4([1, 1, 4, 3], 14)]);
  }],
  ['conv2dTranspose stride 2 same (filter grad)', () => {
    const g = rankedGrads((x: tf.Tensor4D, f: tf.Tensor4D) =>
      tf.conv2dTranspose(x, f, [2, 10, 10, 6], 2, 'same').square().sum());
    return g([t4([2, 5, 5, 4], 15), t4([3, 3, 6, 4], 16)]);
  }],
  ['conv2dTranspose stride 1 valid (filter grad)', () => {
    const g = rankedGrads((x: tf.Tensor4D, f: tf.Tensor4D) =>
      tf.conv2dTranspose(x, f, [1, 9, 8, 2], 1, 'valid').square().sum());
    return g([t4([1, 7, 6, 3], 17), t4([3, 3, 2, 3], 18)]);
  }],
  ['kernel NCHW stride 2 same', kernelDirect([2, 3, 9, 9], [2, 4, 5, 5],
    { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] })],
  ['kernel pad 1 with ceil rounding', kernelDirect([1, 8, 8, 2], [1, 5, 5, 3],
    { strides: 2, pad: 1, dataFormat: 'NHWC', dimRoundingMode: 'ceil', filterShape: [3, 3, 2, 3] })],
];

beforeAll(() => {
  registerWasmKernels();
});

describe.each(BACKENDS)('Conv2DBackpropFilter on %s matches cpu', (backend) => {
  it.each(cases)('%s', async (_name, grads) => {
    const expected = await computeOn('cpu', grads);
    const actual = await computeOn(backend, grads);
    expect(worstRelativeError(actual, expected)).toBeLessThan(RTOL);
  });

  // tfjs's conv2d gradient rejects dilations > 1, but the kernel follows TF and accepts them. A
  // dilated filter is an undilated one with zeros stuffed in, so cpu can serve as the reference:
  // its gradient for the stuffed filter, sampled every `d` taps.
  it('kernel with dilations [2,3] matches cpu on the zero-stuffed filter', async () => {
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
    const xShape = [2, 10, 11, 3];
    const dyShape = [2, 10, 11, 4];
    const expected = await computeOn('cpu', () => {
      const stuffed = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: t4(xShape, 3), dy: t4(dyShape, 4) },
        { ...attrs, filterShape: [5, 7, 3, 4] }) as tf.Tensor4D;
      return [tf.stridedSlice(stuffed, [0, 0, 0, 0], [5, 7, 3, 4], [2, 3, 1, 1])];
    });
    const actual = await computeOn(backend, kernelDirect(xShape, dyShape,
      { ...attrs, dilations: [2, 3], filterShape: [3, 3, 3, 4] }));
    expect(worstRelativeError(actual, expected)).toBeLessThan(RTOL);
  });

  it('rejects a dy that does not match the forward output', async () => {
    await expect(computeOn(backend, kernelDirect([1, 8, 8, 2], [1, 7, 7, 3],
      { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] }))).rejects.toThrow(/dy shape/);
  });
});
