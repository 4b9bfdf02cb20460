import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeOn, seededTensor, seededValues, worstRelativeError } from '../testing.ts';
import { classifierGradients, embeddingLstm, smallCnn } from '../testing-models.ts';
import { registerWasmKernels } from './register.ts';

// Whole models: every forward op also rounds differently per backend, so errors compound;
// measured 1.0e-6 (CNN) and 3e-7 (LSTM). A wrong kernel gives O(1).
const BACKENDS = ['wasm'];
const RTOL = 1e-5;
const BATCH = 8;

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

const gradientsOf = (model: tf.LayersModel, c: ModelCase) =>
  classifierGradients(model, c.input(), Array.from({ length: BATCH }, (_, i) => i % c.classes), c.classes);

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
