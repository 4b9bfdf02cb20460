import * as tf from '@tensorflow/tfjs';
import { type Dataset, RARE_CHAR, isCharTextDataset } from '@shardgrad/data';
import { sparseCategoricalCrossentropy } from '../losses.ts';
import { sparseAccuracy } from '../metrics.ts';
import { ModelConfigError } from '../model-options.ts';
import type { BuildContext, ModelContext, ModelDefinition } from '../types.ts';
import { sampleText } from './sample-text.ts';

export const CHAR_RNN_CELLS = ['lstm', 'gru', 'simple'] as const;
export type CharRnnCell = (typeof CHAR_RNN_CELLS)[number];
const UNITS = 64;
const EMBEDDING = 32;
const TEMPERATURE = 0.7;
const SAMPLE_LENGTH = 600;
const MAX_SAMPLE_LENGTH = 100_000;
const PRIME = 'This License';

export function charRnnCell(config: Record<string, unknown>): CharRnnCell {
  const c = config.cell ?? 'lstm';
  if (!CHAR_RNN_CELLS.includes(c as never)) throw new ModelConfigError(`char-rnn option cell must be one of ${CHAR_RNN_CELLS.join(', ')}, got ${String(c)}`);
  return c as CharRnnCell;
}

function positive(config: Record<string, unknown>, key: string, fallback: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new ModelConfigError(`char-rnn option ${key} must be a positive number, got ${String(v)}`);
  return v;
}

function sampleLength(config: Record<string, unknown>): number {
  const v = config.sampleLength ?? SAMPLE_LENGTH;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_SAMPLE_LENGTH) throw new ModelConfigError(`char-rnn option sampleLength must be an integer in [1, ${MAX_SAMPLE_LENGTH}], got ${JSON.stringify(v)}`);
  return v;
}

/** The text the sample starts from; a number (`--set prime=1984` reads as one) is its digits. */
function primeText(config: Record<string, unknown>): string {
  const v = config.prime ?? PRIME;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') throw new ModelConfigError(`char-rnn option prime must be text, got ${JSON.stringify(v)}`);
  return v;
}

/** The options that need no data, checked when the model is built (before any run starts). */
function checkSampling(config: Record<string, unknown>): void {
  positive(config, 'temperature', TEMPERATURE);
  sampleLength(config);
  primeText(config);
}

/**
 * The prime's characters against the dataset's vocabulary: a character the model never saw would be
 * read as the rare-character id, so the sample would not start from the text asked for.
 */
export function checkPrime(config: Record<string, unknown>, dataset: Dataset): void {
  // The default prime is not the user's doing: with a vocabulary cut short (a high minCount) it samples as before.
  if (config.prime === undefined || !isCharTextDataset(dataset)) return;
  const known = new Set(dataset.vocabulary.filter((c) => c !== RARE_CHAR));
  const unknown = [...new Set(Array.from(primeText(config)).filter((c) => !known.has(c)))];
  if (unknown.length > 0) {
    throw new ModelConfigError(
      `char-rnn option prime has characters outside the ${dataset.name} vocabulary: ${JSON.stringify(unknown.join(''))}; use only these: ${JSON.stringify([...known].join(''))}`,
    );
  }
}

/** Embedding → one recurrent layer (LSTM, GRU or SimpleRNN) → softmax over the vocabulary at every position. */
export function buildCharRnn({ inputShape, numClasses, seed, config }: BuildContext): tf.LayersModel {
  if (inputShape.length !== 1) throw new ModelConfigError(`char-rnn needs windows of character ids [length], got inputs [${inputShape.join(', ')}]`);
  const units = Math.round(positive(config, 'units', UNITS));
  checkSampling(config);
  const common = {
    units,
    returnSequences: true,
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    // Orthogonal would be the textbook choice, but tfjs computes it slowly for large matrices.
    recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
  };
  const cell = charRnnCell(config);
  const rnn = cell === 'lstm' ? tf.layers.lstm(common) : cell === 'gru' ? tf.layers.gru(common) : tf.layers.simpleRNN(common);
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputShape, inputDim: numClasses, outputDim: EMBEDDING, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }) }),
      rnn,
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }) }),
    ],
  });
}

function charDataset(ctx: ModelContext) {
  if (!isCharTextDataset(ctx.dataset)) throw new Error(`char-rnn needs a character text dataset, got ${ctx.dataset.name}`);
  return ctx.dataset;
}

/** Validation perplexity against the unigram baseline (the training text's character frequencies). */
export function charRnnReport(ctx: ModelContext): Record<string, number | string> {
  const ds = charDataset(ctx);
  const loss = tf.tidy(() => {
    const x = tf.tensor2d(ds.test.x, [ds.test.n, ds.inputShape[0]!]);
    return sparseCategoricalCrossentropy(tf.tensor(ds.test.y), ctx.model.predict(x) as tf.Tensor).dataSync()[0]!;
  });
  const perplexity = Math.exp(loss);
  const unigram = Math.exp(ds.unigramLoss);
  return {
    validationPerplexity: perplexity,
    unigramPerplexity: unigram,
    perplexityReductionPct: (1 - perplexity / unigram) * 100,
    cell: charRnnCell(ctx.config),
  };
}

export const charRnn: ModelDefinition = {
  name: 'char-rnn',
  summary: `Embedding ${EMBEDDING} → LSTM/GRU/SimpleRNN ${UNITS} → softmax over characters at every position`,
  teaches: 'language modelling: predict the next character, perplexity against a unigram baseline, sampling at a temperature',
  defaultDataset: 'license-chars',
  datasets: ['license-chars'],
  build: buildCharRnn,
  loss: sparseCategoricalCrossentropy,
  metrics: { accuracy: sparseAccuracy },
  optimizer: { name: 'adam', learningRate: 0.01 },
  defaults: { batch: 32, epochs: 1 },
  options: {
    cell: `${CHAR_RNN_CELLS.join(' | ')} (default lstm)`,
    units: `recurrent units (default ${UNITS})`,
    temperature: `sampling temperature of the text written after training (default ${TEMPERATURE}); lower is safer, higher is wilder`,
    sampleLength: `characters to sample, 1 to ${MAX_SAMPLE_LENGTH} (default ${SAMPLE_LENGTH})`,
    prime: `text the sample starts from, in the characters of the training text (default "${PRIME}")`,
  },
  report: charRnnReport,
  checkOptionsWithData: checkPrime,
  artifacts: (ctx) => {
    const ds = charDataset(ctx);
    const temperature = positive(ctx.config, 'temperature', TEMPERATURE);
    const length = sampleLength(ctx.config);
    const prime = primeText(ctx.config);
    const text = sampleText(ctx.model, ds.vocabulary, { prime, length, temperature, seed: 1 });
    return [{ kind: 'text', file: 'sample.txt', description: `${length} characters sampled at temperature ${temperature}`, text }];
  },
};
