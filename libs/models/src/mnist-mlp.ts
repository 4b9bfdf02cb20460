import * as tf from '@tensorflow/tfjs';
import { denseBlock, inputLayers, softmaxHead } from './layer-blocks.ts';
import { sparseCategoricalCrossentropy } from './losses.ts';
import { sparseAccuracy } from './metrics.ts';
import { readModelOptions } from './model-options.ts';
import type { ModelDefinition } from './types.ts';

/**
 * The seed's model: Flatten, Dense 128 relu, Dense 10 softmax, Adam, sparse CE, accuracy. With no
 * options it is exactly that network; the common options add normalization, dropout and penalties.
 */
export const mnistMlp: ModelDefinition = {
  name: 'mnist-mlp',
  summary: 'Flatten → Dense 128 relu → Dense 10 softmax',
  teaches: 'a first neural network: dense layers, softmax, cross-entropy, Adam',
  defaultDataset: 'mnist',
  datasets: ['mnist', 'fashion-mnist'],
  build: ({ inputShape, numClasses, seed, config }) => {
    const o = readModelOptions(config);
    const norm = inputLayers(o, inputShape);
    return tf.sequential({
      layers: [
        ...norm,
        tf.layers.flatten(norm.length ? {} : { inputShape }),
        ...denseBlock(128, o, seed),
        softmaxHead(numClasses, o, seed + 1),
      ],
    });
  },
  loss: sparseCategoricalCrossentropy,
  metrics: { accuracy: sparseAccuracy },
  optimizer: { name: 'adam', learningRate: 0.001 },
  defaults: { batch: 64, epochs: 5 },
  commonOptions: ['dropout', 'l1', 'l2', 'batchNorm', 'layerNorm', 'normalize'],
};
