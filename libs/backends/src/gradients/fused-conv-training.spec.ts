import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node.ts';
import { computeOn, seededTensor, worstRelativeError } from '../testing.ts';
import { classifierGradients, smallCnn } from '../testing-models.ts';
import { CONV2D_BIAS_RELU, installFusedConvTraining } from './fused-conv-training.ts';
import { RELU_GRAD } from './relu-grad.ts';
import { gradientKernelCalls } from '../kernels/simd/gradient-kernels.ts';

// Gradients of whole nets on wasm (our fused kernel in training) against cpu (tfjs-core's
// unfused chain): one wrong term gives O(1); float32 rounding over a net stays near 1e-6.
const RTOL = 1e-5;
const BATCH = 6;

interface Net {
  build: () => tf.LayersModel;
  inputShape: number[];
  classes: number;
}

const convNet = (conv: Partial<Parameters<typeof tf.layers.conv2d>[0]> & { filters: number }, inputShape: number[]): Net => ({
  build: () =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape, kernelSize: 3, activation: 'relu', ...conv }),
        tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    }),
  inputShape,
  classes: 4,
});

const NETS: Record<string, Net> = {
  'the small CNN (valid, stride 1, with bias)': { build: smallCnn, inputShape: [28, 28, 1], classes: 10 },
  'same padding, stride 2, no bias': convNet({ filters: 16, padding: 'same', strides: 2, useBias: false }, [11, 9, 3]),
  'a first layer of 6 filters (not ours: tfjs unfused)': convNet({ filters: 6 }, [10, 10, 2]),
};

function gradientsOn(net: Net, weights: ArrayLike<number>[]): tf.Tensor[] {
  const model = net.build();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(Array.from(weights[i]!), w.shape)));
  const x = seededTensor([BATCH, ...net.inputShape], 1).add(0.3);
  return classifierGradients(model, x, Array.from({ length: BATCH }, (_, i) => i % net.classes), net.classes);
}

/** The kernels one gradient step runs, by name, on the active backend. */
async function kernelsOfStep(net: Net): Promise<string[]> {
  const model = net.build();
  const x = seededTensor([BATCH, ...net.inputShape], 1);
  const info = await tf.profile(() => {
    tf.dispose(classifierGradients(model, x, Array.from({ length: BATCH }, (_, i) => i % net.classes), net.classes));
  });
  tf.dispose([x, ...model.weights.map((w) => w.read())]);
  return info.kernels.map((k) => k.name);
}

beforeAll(async () => {
  await initNodeBackend('wasm');
  expect(installFusedConvTraining()).toBe(true);
});

describe('conv + bias + relu in training, on wasm', () => {
  it.each(Object.keys(NETS))('%s: same gradients as cpu', async (name) => {
    const net = NETS[name]!;
    const weights = await computeOn('cpu', () => net.build().getWeights());
    const expected = await computeOn('cpu', () => gradientsOn(net, weights));
    const actual = await computeOn('wasm', () => gradientsOn(net, weights));
    expect(actual.map((a) => a.length)).toEqual(expected.map((e) => e.length));
    expect(worstRelativeError(actual, expected)).toBeLessThan(RTOL);
  });

  it('runs each conv layer of the small CNN as one kernel, and no input gradient for the first', async () => {
    await tf.setBackend('wasm');
    const before = gradientKernelCalls();
    const names = await kernelsOfStep(NETS['the small CNN (valid, stride 1, with bias)']!);
    const after = gradientKernelCalls();
    // Both 2×2 pools keep their winners, and their gradients are written from them (the second
    // pool's 11×11 input leaves a row and a column out).
    expect(after.max_pool_2x2_argmax - before.max_pool_2x2_argmax).toBe(2);
    expect(after.max_pool_grad_2x2_argmax - before.max_pool_grad_2x2_argmax).toBe(2);
    expect(names.filter((n) => n === CONV2D_BIAS_RELU)).toHaveLength(2);
    expect(names).not.toContain(tf.Relu);
    expect(names).not.toContain(tf.Conv2D);
    // The first layer's input is data: the tape asks for its filter and bias gradients only.
    expect(names.filter((n) => n === tf.Conv2DBackpropInput)).toHaveLength(1);
    expect(names.filter((n) => n === tf.Conv2DBackpropFilter)).toHaveLength(2);
    // Each conv feeds a max pool, whose gradient takes the relu's in with it.
    expect(names).not.toContain(RELU_GRAD);
  });

  it('keeps the relu pass where a conv feeds another conv', async () => {
    await tf.setBackend('wasm');
    const names = await kernelsOfStep(NETS['same padding, stride 2, no bias']!);
    expect(names.filter((n) => n === CONV2D_BIAS_RELU)).toHaveLength(2);
    expect(names.filter((n) => n === RELU_GRAD)).toHaveLength(2);
  });

  it('leaves inference and other backends to tfjs: one FusedConv2D per layer', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const model = smallCnn();
      const x = seededTensor([2, 28, 28, 1], 1);
      const info = await tf.profile(() => {
        (model.predict(x) as tf.Tensor).dispose();
      });
      const names = info.kernels.map((k) => k.name);
      expect(names.filter((n) => n === tf.FusedConv2D), backend).toHaveLength(2);
      expect(names, backend).not.toContain(CONV2D_BIAS_RELU);
      tf.dispose([x, ...model.weights.map((w) => w.read())]);
    }
    await tf.setBackend('cpu');
    const names = await kernelsOfStep(NETS['the small CNN (valid, stride 1, with bias)']!);
    expect(names).not.toContain(CONV2D_BIAS_RELU);
    expect(names).toContain(tf.Relu);
  });
});
