import * as tf from '@tensorflow/tfjs';
import { sparseCategoricalCrossentropy } from './losses.ts';
import { sparseAccuracy } from './metrics.ts';
import type { ModelDefinition } from './types.ts';

/** The seed's model, exactly: Flatten, Dense 128 relu, Dense 10 softmax, Adam, sparse CE, accuracy. */
export const mnistMlp: ModelDefinition = {
  name: 'mnist-mlp',
  summary: 'Flatten → Dense 128 relu → Dense 10 softmax',
  teaches: 'a first neural network: dense layers, softmax, cross-entropy, Adam',
  defaultDataset: 'mnist',
  datasets: ['mnist', 'fashion-mnist'],
  build: ({ inputShape, numClasses, seed }) =>
    tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape }),
        tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
        tf.layers.dense({
          units: numClasses,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
        }),
      ],
    }),
  loss: sparseCategoricalCrossentropy,
  metrics: { accuracy: sparseAccuracy },
  optimizer: { name: 'adam', learningRate: 0.001 },
  defaults: { batch: 64, epochs: 5 },
};
