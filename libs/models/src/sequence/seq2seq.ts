import * as tf from '@tensorflow/tfjs';
import { DATE_INPUT_CHARS, DATE_INPUT_LENGTH, ISO_LENGTH, decodeIso, encodeDateText, isDatesDataset } from '@shardgrad/data';
import { sparseCategoricalCrossentropy } from '../losses.ts';
import { sparseAccuracy } from '../metrics.ts';
import { ModelConfigError } from '../model-options.ts';
import type { BuildContext, ModelContext, ModelDefinition } from '../types.ts';
import { attentionHeatMap } from './attention-map.ts';

const UNITS = 64;
const EMBEDDING = 16;
export const ATTENTION_LAYER = 'attention_weights';

const useAttention = (config: Record<string, unknown>) => {
  const a = config.attention ?? true;
  if (typeof a !== 'boolean') throw new ModelConfigError(`seq2seq option attention must be true or false, got ${String(a)}`);
  return a;
};

const HEAT_MAP_INPUT = 'November 25, 2026';

/** The date text of the heat map, checked: text of at most 32 of the characters the encoder reads. */
function heatMapText(config: Record<string, unknown>): string {
  const raw = config.heatMapInput ?? HEAT_MAP_INPUT;
  // `--set heatMapInput=2026` reads as a number: its digits are the text.
  const v = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  const allowed = `letters, digits, spaces and ${JSON.stringify(DATE_INPUT_CHARS.slice(2, 6))}`;
  if (typeof v === 'number') throw new ModelConfigError(`seq2seq option heatMapInput: a number too long to keep its digits; it may use ${allowed}, up to ${DATE_INPUT_LENGTH} characters`);
  if (typeof v !== 'string' || v.length === 0) throw new ModelConfigError(`seq2seq option heatMapInput must be a date as text (${allowed}), got ${JSON.stringify(v)}`);
  try {
    encodeDateText(v);
  } catch (e) {
    throw new ModelConfigError(`seq2seq option heatMapInput: ${(e as Error).message}; it may use ${allowed}, up to ${DATE_INPUT_LENGTH} characters`);
  }
  return v;
}

/**
 * Encoder: embedding → bidirectional LSTM over the (zero-padded) input characters. Decoder: an LSTM
 * run for the 10 output positions on the encoder's summary (RepeatVector), so the output does not
 * feed back and one forward pass decodes (the output format is fixed, so nothing is lost).
 * With attention, each decoder step scores every encoder position (dot product), softmaxes the
 * scores into weights and reads their weighted sum (Luong attention); without it, the decoder has
 * only the encoder's final summary, the classic bottleneck.
 */
export function buildSeq2seq({ inputShape, numClasses, seed, config }: BuildContext): tf.LayersModel {
  if (inputShape.length !== 1) throw new ModelConfigError(`seq2seq needs character ids [length], got inputs [${inputShape.join(', ')}]`);
  // The options are checked here, when the coordinator builds the model: before any run starts.
  const attention = useAttention(config);
  heatMapText(config);
  const g = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const input = tf.input({ shape: inputShape });
  const embedded = tf.layers.embedding({ inputDim: DATE_INPUT_CHARS.length, outputDim: EMBEDDING, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }) }).apply(input) as tf.SymbolicTensor;
  const encoded = tf.layers
    .bidirectional({ mergeMode: 'concat', layer: tf.layers.lstm({ units: UNITS / 2, returnSequences: true, kernelInitializer: g(1), recurrentInitializer: g(2) }) as tf.RNN })
    .apply(embedded) as tf.SymbolicTensor;
  const summary = tf.layers.globalAveragePooling1d().apply(encoded) as tf.SymbolicTensor;
  const repeated = tf.layers.repeatVector({ n: ISO_LENGTH }).apply(summary) as tf.SymbolicTensor;
  const decoded = tf.layers.lstm({ units: UNITS, returnSequences: true, kernelInitializer: g(3), recurrentInitializer: g(4) }).apply(repeated) as tf.SymbolicTensor;
  let features = decoded;
  if (attention) {
    const scores = tf.layers.dot({ axes: [2, 2] }).apply([decoded, encoded]) as tf.SymbolicTensor;
    const weights = tf.layers.activation({ activation: 'softmax', name: ATTENTION_LAYER }).apply(scores) as tf.SymbolicTensor;
    const context = tf.layers.dot({ axes: [2, 1] }).apply([weights, encoded]) as tf.SymbolicTensor;
    features = tf.layers.concatenate().apply([context, decoded]) as tf.SymbolicTensor;
  }
  const output = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: g(5) }) }).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

function datesOf(ctx: ModelContext) {
  if (!isDatesDataset(ctx.dataset)) throw new Error(`seq2seq needs the dates dataset, got ${ctx.dataset.name}`);
  return ctx.dataset;
}

/** ISO strings the model writes for a batch of encoded inputs (arg-max at each output position). */
export function translateDates(model: tf.LayersModel, x: Float32Array, n: number): string[] {
  const ids = tf.tidy(() => tf.argMax(model.predict(tf.tensor2d(x, [n, x.length / n])) as tf.Tensor, -1).dataSync());
  return Array.from({ length: n }, (_, i) => decodeIso(ids.subarray(i * ISO_LENGTH, (i + 1) * ISO_LENGTH)));
}

/** Exact match (all ten characters right) on held-out dates, in training formats and in held-out formats. */
export function seq2seqReport(ctx: ModelContext): Record<string, number | string> {
  const ds = datesOf(ctx);
  const got = translateDates(ctx.model, ds.test.x, ds.test.n);
  const want = Array.from({ length: ds.test.n }, (_, i) => decodeIso(ds.test.y.subarray(i * ISO_LENGTH, (i + 1) * ISO_LENGTH)));
  const exact = (from: number, to: number) => {
    let k = 0;
    for (let i = from; i < to; i++) if (got[i] === want[i]) k++;
    return k / Math.max(1, to - from);
  };
  const wrong = got.findIndex((g, i) => g !== want[i]);
  return {
    exactMatch: exact(0, ds.test.n),
    exactMatchSeenFormats: exact(0, ds.heldOutFormatsFrom),
    exactMatchHeldOutFormats: exact(ds.heldOutFormatsFrom, ds.test.n),
    attention: useAttention(ctx.config) ? 'yes' : 'no',
    ...(wrong >= 0 ? { exampleMistake: `"${ds.testTexts[wrong]}" → ${got[wrong]} (want ${want[wrong]})` } : {}),
  };
}

export const seq2seq: ModelDefinition = {
  name: 'seq2seq',
  summary: `Embedding → BiLSTM encoder → LSTM decoder (${ISO_LENGTH} steps) with dot-product attention → softmax per ISO character`,
  teaches: 'sequence to sequence with attention: dates in many human formats to ISO 8601, against the same net without attention',
  defaultDataset: 'dates',
  datasets: ['dates'],
  build: buildSeq2seq,
  loss: sparseCategoricalCrossentropy,
  metrics: { accuracy: sparseAccuracy },
  optimizer: { name: 'adam', learningRate: 0.01 },
  defaults: { batch: 64, epochs: 1 },
  options: {
    attention: 'true | false: train only this phase (without it, both run)',
    heatMapInput: `date text whose attention heat map is written after training (default "${HEAT_MAP_INPUT}")`,
  },
  report: seq2seqReport,
  artifacts: (ctx) => {
    if (!useAttention(ctx.config)) return [];
    const text = heatMapText(ctx.config);
    const [iso] = translateDates(ctx.model, encodeDateText(text), 1);
    return [
      {
        kind: 'image',
        file: 'attention.png',
        description: `attention weights (darker = more): rows are the output "${iso}", columns the input "${text}", each labelled`,
        image: attentionHeatMap(ctx.model, ATTENTION_LAYER, text, iso),
      },
    ];
  },
  pipeline: {
    phases: [
      { name: 'attention', description: 'encoder-decoder with dot-product attention', modelConfig: { attention: true } },
      { name: 'plain', description: 'baseline: the same encoder-decoder without attention (the decoder sees only the encoder summary)', modelConfig: { attention: false } },
    ],
    // Only the phases that ran (`--set attention=false` trains one).
    compare: (m) => ({
      ...(m.attention ? { attentionCharAccuracy: m.attention.accuracy ?? NaN } : {}),
      ...(m.plain ? { plainCharAccuracy: m.plain.accuracy ?? NaN } : {}),
    }),
  },
};
