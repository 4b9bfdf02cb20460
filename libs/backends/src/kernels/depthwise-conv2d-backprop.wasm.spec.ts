import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeOn, rankedGrads, seededTensor, worstRelativeError } from '../testing.ts';
import { registerWasmKernels } from './register.ts';

// Same spec, every backend; cpu is the reference. See conv2d-backprop-filter.wasm.spec.ts.
const BACKENDS = ['wasm'];
const RTOL = 1e-5;

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
const t4 = (shape: number[], seed: number) => seededTensor(shape, seed) as tf.Tensor4D;

/** Both gradients (input → DepthwiseConv2dNativeBackpropInput, filter → …BackpropFilter). */
function depthwiseGrads(xShape: number[], fShape: number[], strides: number | [number, number], pad: Pad) {
  return () => {
    const g = rankedGrads((x: tf.Tensor4D, f: tf.Tensor4D) => tf.depthwiseConv2d(x, f, strides, pad).square().sum());
    return g([t4(xShape, 1), t4(fShape, 2)]);
  };
}

const cases: Array<[string, () => tf.Tensor[]]> = [
  ['multiplier 1, stride 1 same', depthwiseGrads([2, 9, 9, 3], [3, 3, 3, 1], 1, 'same')],
  ['multiplier 2, stride 1 same', depthwiseGrads([2, 9, 9, 3], [3, 3, 3, 2], 1, 'same')],
  ['multiplier 3, stride 2 same', depthwiseGrads([2, 9, 10, 4], [3, 3, 4, 3], 2, 'same')],
  ['multiplier 2, strides [2,1] valid', depthwiseGrads([3, 10, 9, 2], [3, 2, 2, 2], [2, 1], 'valid')],
  ['5x5 stride 3 valid (crop)', depthwiseGrads([2, 12, 12, 2], [5, 5, 2, 1], 3, 'valid')],
  ['pad 2 (number), batch 1', depthwiseGrads([1, 8, 8, 5], [5, 5, 5, 1], 1, 2)],
  ['explicit pad, stride 2', depthwiseGrads([2, 9, 7, 3], [3, 3, 3, 2], 2, [[0, 0], [1, 2], [0, 1], [0, 0]])],
  ['separableConv2d multiplier 2 same', () => {
    const g = rankedGrads((x: tf.Tensor4D, d: tf.Tensor4D, p: tf.Tensor4D) =>
      tf.separableConv2d(x, d, p, 1, 'same').square().sum());
    return g([t4([2, 8, 8, 3], 3), t4([3, 3, 3, 2], 4), t4([1, 1, 6, 4], 5)]);
  }],
];

beforeAll(() => {
  registerWasmKernels();
});

describe.each(BACKENDS)('depthwise conv gradients on %s match cpu', (backend) => {
  it.each(cases)('%s', async (_name, grads) => {
    const expected = await computeOn('cpu', grads);
    const actual = await computeOn(backend, grads);
    expect(worstRelativeError(actual, expected)).toBeLessThan(RTOL);
  });

  // tfjs's gradient rejects dilations > 1; the kernels accept them (TF parity). Reference: the same
  // cpu kernels on the zero-stuffed (undilated) filter.
  it('dilations [2,2]: both kernels match cpu on the zero-stuffed filter', async () => {
    const base = { strides: 1, pad: 'same' };
    const [xShape, dyShape] = [[2, 9, 9, 3], [2, 9, 9, 6]];
    const expected = await computeOn('cpu', () => {
      const x = t4(xShape, 3);
      const dy = t4(dyShape, 4);
      const dW = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy },
        { ...base, dilations: 1, filterShape: [5, 5, 3, 2] }) as tf.Tensor4D;
      const f = t4([3, 3, 3, 2], 5);
      const fStuffed = tf.pad(
        f.reshape([3, 1, 3, 1, 3, 2]), [[0, 0], [0, 1], [0, 0], [0, 1], [0, 0], [0, 0]],
      ).reshape([6, 6, 3, 2]).slice([0, 0, 0, 0], [5, 5, 3, 2]);
      const dx = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: fStuffed },
        { ...base, dilations: 1, inputShape: xShape }) as tf.Tensor;
      return [tf.stridedSlice(dW, [0, 0, 0, 0], [5, 5, 3, 2], [2, 2, 1, 1]), dx];
    });
    const actual = await computeOn(backend, () => {
      const x = t4(xShape, 3);
      const dy = t4(dyShape, 4);
      const attrs = { ...base, dilations: [2, 2] };
      return [
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, { ...attrs, filterShape: [3, 3, 3, 2] }) as tf.Tensor,
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: t4([3, 3, 3, 2], 5) },
          { ...attrs, inputShape: xShape }) as tf.Tensor,
      ];
    });
    expect(worstRelativeError(actual, expected)).toBeLessThan(RTOL);
  });
});
