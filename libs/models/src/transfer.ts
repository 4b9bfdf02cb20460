import * as tf from '@tensorflow/tfjs';
import { convBlock, denseBlock, inputLayers, softmaxHead } from './layer-blocks.ts';
import { sparseCategoricalCrossentropy } from './losses.ts';
import { sparseAccuracy } from './metrics.ts';
import { ModelConfigError, readModelOptions } from './model-options.ts';
import type { BuildContext, ModelDefinition } from './types.ts';

export const TRANSFER_STAGES = ['pretrain', 'finetune', 'scratch'] as const;
export type TransferStage = (typeof TRANSFER_STAGES)[number];

/** Layers named `base_*` are the feature extractor that fine-tuning copies and freezes. */
export const BASE_PREFIX = 'base';

/**
 * The classes each phase sees. On CIFAR-10 (the default): airplane, automobile, bird, cat, deer to
 * pre-train; dog, frog, horse, ship, truck to transfer to. On Fashion-MNIST: the clothes, then the
 * shoes, bags and shirts.
 */
const SOURCE_CLASSES = [0, 1, 2, 3, 4];
const TARGET_CLASSES = [5, 6, 7, 8, 9];
/** "Only 100 labelled examples per class". */
const TARGET_PER_CLASS = 100;

function stageOf(config: Record<string, unknown>): TransferStage {
  const s = config.stage ?? 'pretrain';
  if (!(TRANSFER_STAGES as readonly unknown[]).includes(s)) throw new ModelConfigError(`stage must be one of ${TRANSFER_STAGES.join(', ')}, got ${JSON.stringify(s)}`);
  return s as TransferStage;
}

/**
 * Base: 2 × (conv 3x3 → relu → max-pool) → flatten, the features; head: dense 64 relu → [dropout] →
 * softmax. In `finetune` every base layer is frozen (trainable = false), so only the head learns and
 * the base's weights travel as state, unchanged; `scratch` is the same net with nothing frozen.
 * (A base that also kept the dense layer transferred far worse: its 64 features were tuned to
 * tell the source classes apart and dropped what the target classes need.)
 */
export function buildTransfer({ inputShape, numClasses, seed, config }: BuildContext): tf.LayersModel {
  const o = readModelOptions(config);
  const stage = stageOf(config);
  if (inputShape.length !== 3) throw new ModelConfigError(`transfer needs image inputs [h, w, c], got [${inputShape.join(', ')}]`);
  const norm = inputLayers(o, inputShape, BASE_PREFIX);
  const base = [
    ...norm,
    ...convBlock(16, { ...o, dropout: 0 }, seed, { prefix: BASE_PREFIX, index: 1, ...(norm.length ? {} : { inputShape }) }),
    ...convBlock(32, { ...o, dropout: 0 }, seed + 1, { prefix: BASE_PREFIX, index: 2 }),
    tf.layers.flatten({ name: `${BASE_PREFIX}_flatten` }),
  ];
  if (stage === 'finetune') for (const l of base) l.trainable = false;
  return tf.sequential({
    layers: [...base, ...denseBlock(64, o, seed + 2, { prefix: 'head' }), softmaxHead(numClasses, o, seed + 3, 'head_softmax')],
  });
}

export const transfer: ModelDefinition = {
  name: 'transfer',
  summary: 'conv base pre-trained on CIFAR-10 classes 0-4, frozen; a new dense head fine-tuned on 100 examples per class of 5-9; vs the same net from scratch',
  teaches: 'transfer learning: reuse learned features, freeze the base, fine-tune a new head on few labels',
  // Photographs, where 100 labels per class are far from enough to learn good features from scratch;
  // on Fashion-MNIST's halves they already train this net to ~94% (docs/models/transfer.md).
  defaultDataset: 'cifar-10',
  datasets: ['cifar-10', 'fashion-mnist', 'mnist'],
  build: buildTransfer,
  loss: sparseCategoricalCrossentropy,
  metrics: { accuracy: sparseAccuracy },
  optimizer: { name: 'adam', learningRate: 0.001 },
  // Mirror images in every phase: a frog facing left is still a frog, for the base and for both heads.
  defaults: { batch: 100, epochs: 8, config: { augment: 'flip' } },
  options: { stage: `${TRANSFER_STAGES.join(' | ')}: train only this phase (finetune runs pretrain first, for its base); without it, every phase runs` },
  // Batch norm is left out: a frozen base would still move its statistics in training mode.
  commonOptions: ['dropout', 'l1', 'l2', 'layerNorm', 'normalize'],
  pipeline: {
    phases: [
      {
        name: 'pretrain',
        description: `pre-train base + head on classes ${SOURCE_CLASSES.join(', ')} (all their training examples)`,
        datasetOptions: { classes: SOURCE_CLASSES },
        modelConfig: { stage: 'pretrain' },
        epochs: 12,
        batch: 100,
      },
      {
        name: 'finetune',
        description: `freeze the pre-trained base, train a new head on ${TARGET_PER_CLASS} examples per class of ${TARGET_CLASSES.join(', ')}`,
        datasetOptions: { classes: TARGET_CLASSES, trainPerClass: TARGET_PER_CLASS },
        modelConfig: { stage: 'finetune' },
        initFrom: { phase: 'pretrain', layerPrefix: BASE_PREFIX },
        epochs: 30,
        batch: 50,
        learningRate: 0.003,
      },
      {
        name: 'scratch',
        description: `baseline: the same net, nothing frozen, trained from scratch on the same ${TARGET_PER_CLASS * TARGET_CLASSES.length} examples`,
        datasetOptions: { classes: TARGET_CLASSES, trainPerClass: TARGET_PER_CLASS },
        modelConfig: { stage: 'scratch' },
        epochs: 30,
        batch: 50,
        // The same rate as fine-tuning: it was also the better of 0.001 and 0.003 for the scratch net.
        learningRate: 0.003,
      },
    ],
    // Only the phases that ran (`--set stage=finetune` leaves scratch out): no figure is a NaN.
    compare: (m) => ({
      ...(m.finetune ? { finetuneAccuracy: m.finetune.accuracy ?? NaN } : {}),
      ...(m.scratch ? { scratchAccuracy: m.scratch.accuracy ?? NaN } : {}),
      ...(m.finetune && m.scratch ? { transferGainPp: ((m.finetune.accuracy ?? NaN) - (m.scratch.accuracy ?? NaN)) * 100 } : {}),
    }),
  },
};
