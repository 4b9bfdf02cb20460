import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeOn, seededTensor, seededValues, worstRelativeError } from '../testing.ts';
import { registerWasmKernels } from './register.ts';

// Whole models: every forward op also rounds differently per backend, so errors compound;
// measured 1.0e-6 (CNN) and 3e-7 (LSTM). A wrong kernel gives O(1).
const BACKENDS = ['wasm'];
const RTOL = 1e-5;
const BATCH = 8;

function smallCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

function embeddingLstm(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 60, outputDim: 12, inputLength: 10 }),
      tf.layers.lstm({ units: 16 }),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
}

interface ModelCase {
  build: () => tf.LayersModel;
  input: () => tf.Tensor;
  classes: number;
}

const models: Record<string, ModelCase> = {
  'small CNN': { build: smallCnn, input: () => seededTensor([BATCH, 28, 28, 1], 1).add(0.5), classes: 10 },
  'Embedding + LSTM': {
    build: embeddingLstm,
    input: () => tf.tensor2d(Array.from(seededValues(BATCH * 10, 2), (v) => Math.floor((v + 0.5) * 60)), [BATCH, 10], 'int32'),
    classes: 5,
  },
};

/** One gradient step's gradients, by position in trainableWeights (names differ per build). */
function gradientsOf(model: tf.LayersModel, c: ModelCase): tf.Tensor[] {
  const x = c.input();
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % c.classes), 'int32'), c.classes);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as tf.Tensor) as tf.Scalar,
    vars,
  );
  return vars.map((v) => grads[v.name]);
}

/** Builds the model on the active backend with the given weights. */
function withWeights(c: ModelCase, weights: ArrayLike<number>[]): tf.LayersModel {
  const model = c.build();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(Array.from(weights[i]), w.shape)));
  return model;
}

beforeAll(() => {
  registerWasmKernels();
});

describe.each(BACKENDS)('model gradients on %s', (backend) => {
  it.each(Object.keys(models))('%s: same gradients as cpu', async (name) => {
    const c = models[name];
    const weights = await computeOn('cpu', () => c.build().getWeights());
    const step = () => gradientsOf(withWeights(c, weights), c);
    const expected = await computeOn('cpu', step);
    const actual = await computeOn(backend, step);
    expect(worstRelativeError(actual, expected)).toBeLessThan(RTOL);
  });

  // Kernel-internal buffers are not tensors, so check the backend's own buffer count as well.
  it.each(Object.keys(models))('%s: tensors and wasm buffers stay flat across steps', async (name) => {
    await tf.setBackend(backend);
    const c = models[name];
    const model = c.build();
    const step = () => tf.dispose(tf.tidy(() => gradientsOf(model, c)));
    step();
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
  });
});
