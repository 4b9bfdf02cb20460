import * as tf from '@tensorflow/tfjs';
import { perLabelScores } from './f1.ts';
import { denseBlock, inputLayers, kernelRegularizer } from './layer-blocks.ts';
import { binaryCrossentropy } from './losses.ts';
import { binaryAccuracy } from './metrics.ts';
import { readModelOptions } from './model-options.ts';
import { hiddenUnits } from './option-values.ts';
import { predictSplit } from './predict-split.ts';
import type { BuildContext, ModelContext, ModelDefinition } from './types.ts';

const DEFAULT_HIDDEN = [128];

/** One sigmoid per label: each is its own yes/no question, unlike softmax's one-of-k. */
export function buildMultilabel({ inputShape, numClasses, seed, config }: BuildContext): tf.LayersModel {
  const o = readModelOptions(config);
  const hidden = hiddenUnits(config, 'hidden', DEFAULT_HIDDEN);
  return tf.sequential({
    layers: [
      ...inputLayers(o, inputShape),
      tf.layers.flatten(o.normalize === false ? { inputShape } : {}),
      ...hidden.flatMap((units, i) => denseBlock(units, o, seed + i, { index: i + 1 })),
      tf.layers.dense({
        units: numClasses,
        activation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + hidden.length }),
        kernelRegularizer: kernelRegularizer(o),
      }),
    ],
  });
}

/** Per-label F1 on the test split at threshold 0.5, their mean, and the share of samples with every label right. */
export function multilabelReport({ model, dataset }: ModelContext): Record<string, number | string> {
  const k = dataset.labelSize;
  const { test } = dataset;
  const prob = predictSplit(model, dataset.inputShape, test);
  const scores = perLabelScores(prob, test.y, test.n, k);
  const out: Record<string, number | string> = {};
  scores.forEach((s, j) => (out[`f1_${dataset.classNames?.[j] ?? j}`] = s.f1));
  out.meanF1 = scores.reduce((a, s) => a + s.f1, 0) / k;
  let exact = 0;
  for (let i = 0; i < test.n; i++) {
    let all = true;
    for (let j = 0; j < k && all; j++) all = prob[i * k + j]! >= 0.5 === test.y[i * k + j]! >= 0.5;
    if (all) exact++;
  }
  out.exactMatch = exact / test.n;
  return out;
}

export const multilabel: ModelDefinition = {
  name: 'multilabel',
  summary: 'Flatten → Dense 128 relu → Dense k sigmoid, binary cross-entropy per label',
  teaches: 'multi-label classification: independent sigmoid outputs, binary cross-entropy, per-label F1',
  defaultDataset: 'mnist-attributes',
  datasets: ['mnist-attributes'],
  build: buildMultilabel,
  loss: binaryCrossentropy,
  metrics: { binaryAccuracy },
  optimizer: { name: 'adam', learningRate: 0.001 },
  defaults: { batch: 64, epochs: 5 },
  options: { hidden: `hidden layer sizes, e.g. "256,128" (default ${DEFAULT_HIDDEN.join(',')})` },
  commonOptions: ['dropout', 'l1', 'l2', 'batchNorm', 'layerNorm', 'normalize'],
  report: multilabelReport,
};
