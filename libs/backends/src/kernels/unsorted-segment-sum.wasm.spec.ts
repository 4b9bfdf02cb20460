import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeOn, seededTensor } from '../testing.ts';
import { registerWasmKernels } from './register.ts';

// Same spec, every backend; cpu is the reference, and the scatter-add must match it bit for bit.
const BACKENDS = ['wasm'];

/** Bitwise equality: catches -0 vs +0 and NaN payloads that toEqual would blur. */
function expectSameBits(actual: ArrayLike<number>[], expected: ArrayLike<number>[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const bits = (v: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(v).buffer));
    expect(bits(a)).toEqual(bits(expected[i]));
  });
}

/**
 * Gradients of Σ gather(p, ids) · w: the upstream gradient is exactly w on every backend, so any
 * difference can only come from the segment sum itself.
 */
function gatherGrad(pShape: number[], ids: number[] | number[][], axis: number) {
  return () => {
    const idx = tf.tensor(ids, undefined, 'int32');
    const w = seededTensor(tf.gather(tf.zeros(pShape), idx, axis).shape, 2);
    return [tf.grad((p: tf.Tensor) => tf.gather(p, idx, axis).mul(w).sum())(seededTensor(pShape, 1))];
  };
}

const cases: Array<[string, () => tf.Tensor[]]> = [
  ['gather axis 0, repeated ids', gatherGrad([50, 8], [1, 5, 1, 49, 0, 5, 5, 5], 0)],
  ['gather axis 1', gatherGrad([3, 20, 4], [0, 19, 7, 7, 3], 1)],
  ['gather 2-D ids', gatherGrad([30, 6], [[1, 2, 3], [3, 2, 29]], 0)],
  ['gather 1000 rows into 10 (long float sums)', gatherGrad([10, 3], Array.from({ length: 1000 }, (_, i) => (i * 7) % 10), 0)],
  ['unsortedSegmentSum with ids outside [0, n) dropped', () => [
    tf.unsortedSegmentSum(seededTensor([6, 3], 3), tf.tensor1d([0, -1, 2, 4, 2, 1], 'int32'), 4),
  ]],
  ['embedding layer', () => {
    const layer = tf.layers.embedding({ inputDim: 40, outputDim: 8, embeddingsInitializer: 'zeros' });
    const ids = tf.tensor2d([[1, 2, 3, 39, 1], [0, 0, 7, 3, 1]], undefined, 'int32');
    layer.build([2, 5]);
    layer.setWeights([seededTensor([40, 8], 4)]);
    const w = seededTensor([2, 5, 8], 5);
    const { grads } = tf.variableGrads(
      () => (layer.apply(ids) as tf.Tensor).mul(w).sum() as tf.Scalar,
      [layer.trainableWeights[0].read() as tf.Variable],
    );
    return Object.values(grads);
  }],
];

beforeAll(() => {
  registerWasmKernels();
});

describe.each(BACKENDS)('UnsortedSegmentSum on %s is bit-identical to cpu', (backend) => {
  it.each(cases)('%s', async (_name, grads) => {
    expectSameBits(await computeOn(backend, grads), await computeOn('cpu', grads));
  });

  it('keeps int32 as int32 (TF semantics; cpu casts to float32)', async () => {
    const [out] = await computeOn(backend, () => [
      tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]], undefined, 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2),
    ]);
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual([5, 6, 4, 6]);
  });

  it('re-takes heap views when the output allocation grows wasm memory', async () => {
    // 64 MB of output forces memory.grow, detaching any view taken before makeOutput.
    const [out] = await computeOn(backend, () => [
      tf.unsortedSegmentSum(tf.ones([2, 4]), tf.tensor1d([0, 3_999_999], 'int32'), 4_000_000).slice([3_999_999, 0], [1, 4]),
    ]);
    expect(Array.from(out)).toEqual([1, 1, 1, 1]);
  });
});
