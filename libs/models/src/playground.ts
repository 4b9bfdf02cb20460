import * as tf from '@tensorflow/tfjs';
import { PLAYGROUND_PROBLEMS } from '@shardgrad/data';
import { kernelRegularizer } from './layer-blocks.ts';
import { sparseCategoricalCrossentropy } from './losses.ts';
import { sparseAccuracy } from './metrics.ts';
import { ModelConfigError, readModelOptions } from './model-options.ts';
import { choice, hiddenUnits } from './option-values.ts';
import { decisionBoundaryImage } from './decision-boundary.ts';
import type { BuildContext, ModelDefinition } from './types.ts';

export const PLAYGROUND_ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;

/**
 * Two layers of 32 tanh units: the playground's own default (4, 2) fits circle, xor and gaussian,
 * but the two-armed spiral needs more capacity to pass 90% from x and y alone.
 */
const DEFAULT_HIDDEN = [32, 32];

export function buildPlayground({ inputShape, numClasses, seed, config }: BuildContext): tf.LayersModel {
  const o = readModelOptions(config);
  const hidden = hiddenUnits(config, 'hidden', DEFAULT_HIDDEN);
  const activation = choice(config, 'activation', PLAYGROUND_ACTIVATIONS, 'tanh');
  if (inputShape.length !== 1) throw new ModelConfigError(`playground needs feature rows, got inputs [${inputShape.join(', ')}]`);
  return tf.sequential({
    layers: [
      ...hidden.map((units, i) =>
        tf.layers.dense({
          units,
          activation,
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
          kernelRegularizer: kernelRegularizer(o),
          ...(i === 0 ? { inputShape } : {}),
        }),
      ),
      // Two softmax outputs (orange, blue) rather than the playground's one tanh: the same decision,
      // trained with the cross-entropy every other classifier here uses.
      tf.layers.dense({
        units: numClasses,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + hidden.length }),
        kernelRegularizer: kernelRegularizer(o),
      }),
    ],
  });
}

export const playground: ModelDefinition = {
  name: 'playground',
  summary: 'Dense 32 tanh → Dense 32 tanh → softmax 2 on the 2-D problems of playground.tensorflow.org',
  teaches: 'what hidden layers and activations do: nonlinear decision boundaries on 2-D toy data, with L1/L2 and noise',
  defaultDataset: 'circle',
  datasets: [...PLAYGROUND_PROBLEMS],
  build: buildPlayground,
  loss: sparseCategoricalCrossentropy,
  metrics: { accuracy: sparseAccuracy },
  optimizer: { name: 'adam', learningRate: 0.01 },
  defaults: { batch: 32, epochs: 200 },
  options: {
    hidden: `hidden layer sizes, e.g. "4,2" as in the playground (default ${DEFAULT_HIDDEN.join(',')})`,
    activation: `hidden activation: ${PLAYGROUND_ACTIVATIONS.join(', ')} (default tanh)`,
  },
  commonOptions: ['l1', 'l2'],
  artifacts: (ctx) => [
    {
      file: 'decision-boundary.png',
      description: 'P(blue) over the plane (orange to blue), training points filled, test points ringed',
      kind: 'image',
      image: decisionBoundaryImage(ctx),
    },
  ],
};
