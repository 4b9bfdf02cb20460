import * as tf from '@tensorflow/tfjs';
import { isTabularDataset } from '@shardgrad/data';
import { denseBlock } from './layer-blocks.ts';
import { fitLeastSquares, predictLinear, rmse } from './least-squares.ts';
import { meanSquaredError } from './losses.ts';
import { meanAbsoluteError } from './metrics.ts';
import { ModelConfigError, readModelOptions } from './model-options.ts';
import { hiddenUnits } from './option-values.ts';
import { predictSplit } from './predict-split.ts';
import type { BuildContext, ModelContext, ModelDefinition } from './types.ts';

/** Two hidden layers of 64: enough to learn how the daily cycle changes with the season. */
const DEFAULT_HIDDEN = [64, 64];

export function buildRegression({ inputShape, seed, config }: BuildContext): tf.LayersModel {
  const o = readModelOptions(config);
  const hidden = hiddenUnits(config, 'hidden', DEFAULT_HIDDEN);
  if (inputShape.length !== 1) throw new ModelConfigError(`regression needs flat feature rows, got inputs [${inputShape.join(', ')}]`);
  return tf.sequential({
    layers: [
      ...hidden.flatMap((units, i) => denseBlock(units, o, seed + i, { index: i + 1, ...(i === 0 ? { inputShape } : {}) })),
      // Linear output: the target is a real number (standardized), not a probability.
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + hidden.length }) }),
    ],
  });
}

/**
 * RMSE in the target's real units for the network, for closed-form least squares on the same
 * standardized features (fitted on the training split), and for always predicting the mean.
 */
export function regressionReport({ model, dataset }: ModelContext): Record<string, number | string> {
  if (!isTabularDataset(dataset)) throw new Error(`regression report needs a tabular dataset with a target scale, got ${dataset.name}`);
  const cols = dataset.inputShape[0]!;
  const { scale, unit } = dataset.targetScale;
  const { train, test } = dataset;
  const net = rmse(predictSplit(model, dataset.inputShape, test), test.y) * scale;
  const linear = rmse(predictLinear(fitLeastSquares(train.x, train.y, train.n, cols), test.x, test.n, cols), test.y) * scale;
  // Standardized targets have training mean 0, so "predict the mean" predicts 0.
  const mean = rmse(new Float64Array(test.n), test.y) * scale;
  return {
    testRmse: net,
    linearBaselineRmse: linear,
    meanBaselineRmse: mean,
    beatsLinearBaseline: net < linear ? 'yes' : 'no',
    unit,
  };
}

export const regression: ModelDefinition = {
  name: 'regression',
  summary: 'Dense 64 relu → Dense 64 relu → Dense 1 (linear), mean squared error',
  teaches: 'regression: a real-valued output, MSE loss, RMSE against a linear-regression baseline',
  defaultDataset: 'seattle-temperature',
  datasets: ['seattle-temperature'],
  build: buildRegression,
  loss: meanSquaredError,
  metrics: { mae: meanAbsoluteError },
  optimizer: { name: 'adam', learningRate: 0.003 },
  defaults: { batch: 64, epochs: 10 },
  options: { hidden: `hidden layer sizes, e.g. "64,64" (default ${DEFAULT_HIDDEN.join(',')})` },
  commonOptions: ['dropout', 'l1', 'l2', 'batchNorm', 'layerNorm'],
  report: regressionReport,
};
