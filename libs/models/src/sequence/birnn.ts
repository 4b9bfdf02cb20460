import * as tf from '@tensorflow/tfjs';
import { maskedBinaryAccuracy, maskedBinaryCrossentropy } from './masked.ts';
import { ModelConfigError } from '../model-options.ts';
import type { BuildContext, ModelDefinition } from '../types.ts';
import { writeOrthogonalRecurrentKernels } from './orthogonal.ts';

export const BIRNN_DIRECTIONS = ['bidirectional', 'forward'] as const;
const UNITS = 16;

function direction(config: Record<string, unknown>): (typeof BIRNN_DIRECTIONS)[number] {
  const d = config.direction ?? 'bidirectional';
  if (!BIRNN_DIRECTIONS.includes(d as never)) throw new ModelConfigError(`birnn option direction must be ${BIRNN_DIRECTIONS.join(' or ')}, got ${String(d)}`);
  return d as (typeof BIRNN_DIRECTIONS)[number];
}

function units(config: Record<string, unknown>): number {
  const u = config.units ?? UNITS;
  if (!Number.isInteger(u) || (u as number) < 1) throw new ModelConfigError(`birnn option units must be a positive integer, got ${String(u)}`);
  return u as number;
}

/**
 * LSTM over one-hot symbols, one sigmoid per position. Bidirectional: a forward and a backward LSTM
 * whose outputs are concatenated, so position t sees the whole sequence. Forward: the same LSTM
 * with twice the units (about as many weights), reading left to right only.
 * Positions without a label (the dataset's −1) are skipped by the loss and the accuracy.
 */
export function buildBirnn({ inputShape, seed, config }: BuildContext): tf.LayersModel {
  if (inputShape.length !== 2) throw new ModelConfigError(`birnn needs one-hot sequences [length, symbols], got inputs [${inputShape.join(', ')}]`);
  const u = units(config);
  // Recurrent kernels: orthogonal (seed + 1), written after the build by writeOrthogonalRecurrentKernels: tfjs's own
  // initializer gives the same matrices but prints a warning for each one over 2,000 elements (the forward net's 32 × 128).
  const init = (s: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: s }), recurrentInitializer: 'zeros' as const });
  const rnn =
    direction(config) === 'bidirectional'
      ? tf.layers.bidirectional({ inputShape, mergeMode: 'concat', layer: tf.layers.lstm({ units: u, returnSequences: true, ...init(seed) }) as tf.RNN })
      : tf.layers.lstm({ inputShape, units: 2 * u, returnSequences: true, ...init(seed) });
  const model = tf.sequential({
    layers: [
      rnn,
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 7 }) }) }),
      tf.layers.flatten(),
    ],
  });
  writeOrthogonalRecurrentKernels(model, seed + 1);
  return model;
}

export const birnn: ModelDefinition = {
  name: 'birnn',
  summary: 'Bidirectional LSTM 16+16 → per-position sigmoid; tags whether each symbol reappears k steps later',
  teaches: 'bidirectional RNNs: a tag that depends on the future needs a backward pass; the forward-only net stays at chance',
  defaultDataset: 'reappear',
  datasets: ['reappear'],
  build: buildBirnn,
  loss: maskedBinaryCrossentropy,
  metrics: { accuracy: maskedBinaryAccuracy },
  optimizer: { name: 'adam', learningRate: 0.02 },
  defaults: { batch: 32, epochs: 5 },
  options: {
    direction: `${BIRNN_DIRECTIONS.join(' | ')}: train only this phase (without it, both run)`,
    units: `LSTM units per direction (default ${UNITS}; the forward net gets twice as many)`,
  },
  pipeline: {
    phases: [
      { name: 'bidirectional', description: 'bidirectional LSTM: every position sees the whole sequence', modelConfig: { direction: 'bidirectional' } },
      { name: 'forward', description: 'baseline: the same LSTM reading left to right only (chance is 50%)', modelConfig: { direction: 'forward' } },
    ],
    // Only the phases that ran (`--set direction=forward` trains one).
    compare: (m) => ({
      ...(m.bidirectional ? { bidirectionalAccuracy: m.bidirectional.accuracy ?? NaN } : {}),
      ...(m.forward ? { forwardAccuracy: m.forward.accuracy ?? NaN } : {}),
      chanceAccuracy: 0.5,
    }),
  },
};
