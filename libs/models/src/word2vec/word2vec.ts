import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '@shardgrad/data';
import { ModelConfigError } from '../model-options.ts';
import { projectorMetadataTsv, projectorVectorsTsv } from '../projector-tsv.ts';
import type { BuildContext, CustomStep, ModelContext, ModelDefinition } from '../types.ts';
import { samplerFor } from './negative-sampler.ts';
import { RELATED_PAIRS } from './related-pairs.ts';
import { skipGramBatch, type SkipGramOptions } from './skipgram-pairs.ts';
import { relatedPairCheck, WordVectors, type PairCheck } from './word-vectors.ts';

const DIMS = 32;
const WINDOW = 5;
const NEGATIVES = 5;
/** The layer whose matrix is "the word vectors" (the centre words'); the other one scores contexts. */
export const WORD_VECTORS_LAYER = 'word_vectors';
const CONTEXT_LAYER = 'context_vectors';
/** Held-out pairs are drawn apart from any training round's. */
const EVAL_SEED = 424_242;
/** Random partners per related pair in the check, and their seed. */
const PAIR_DRAWS = 20;
const PAIR_SEED = 7;
/** Bounds the tensors of one evaluation chunk. */
const EVAL_CHUNK = 8192;
/** Words whose neighbours the report prints. */
const PROBES = ['war', 'gold', 'navy', 'january', 'education'];

function positiveInt(config: Record<string, unknown>, key: string, fallback: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ModelConfigError(`word2vec option ${key} must be a positive integer, got ${String(v)}`);
  return v;
}

export function skipGramOptions(config: Record<string, unknown>): SkipGramOptions {
  return { window: positiveInt(config, 'window', WINDOW), negatives: positiveInt(config, 'negatives', NEGATIVES) };
}

/**
 * Two embedding matrices, as in word2vec: a centre word's vector v and a context word's vector u,
 * scored by u·v. Inputs: the centre id [1] and K + 1 target ids (the true context, then K noise
 * words); output: the K + 1 logits. Centre vectors start small and random, context vectors at zero
 * (word2vec's own initialisation), so the first steps move the context vectors only.
 */
export function buildWord2vec({ inputShape, numClasses, seed, config }: BuildContext): tf.LayersModel {
  if (inputShape.length !== 1 || inputShape[0] !== 1) throw new ModelConfigError(`word2vec trains on a token stream (rows of one word id), got inputs [${inputShape.join(', ')}]`);
  if (numClasses < 2) throw new ModelConfigError(`word2vec needs a vocabulary of at least 2 words, got ${numClasses}`);
  const dims = positiveInt(config, 'dims', DIMS);
  const { negatives } = skipGramOptions(config);
  const center = tf.input({ shape: [1], dtype: 'int32' });
  const targets = tf.input({ shape: [negatives + 1], dtype: 'int32' });
  const v = tf.layers
    .embedding({ name: WORD_VECTORS_LAYER, inputDim: numClasses, outputDim: dims, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5 / dims, maxval: 0.5 / dims, seed }) })
    .apply(center) as tf.SymbolicTensor;
  const u = tf.layers.embedding({ name: CONTEXT_LAYER, inputDim: numClasses, outputDim: dims, embeddingsInitializer: 'zeros' }).apply(targets) as tf.SymbolicTensor;
  const logits = tf.layers.flatten().apply(tf.layers.dot({ axes: 2 }).apply([u, v])) as tf.SymbolicTensor;
  return tf.model({ inputs: [center, targets], outputs: logits });
}

/**
 * Mean over pairs of the negative-sampling loss −log σ(u_c·v) − Σ_k log σ(−u_k·v), written as
 * Σ softplus(±logit) (stable, and softplus and sigmoid are wasm kernels). Also the share of logits on
 * the right side of zero, as an accuracy.
 */
function sgnsLoss(model: tf.LayersModel, centers: Int32Array, targets: Int32Array, n: number, k1: number): { loss: tf.Scalar; accuracy: tf.Scalar } {
  const logits = model.apply([tf.tensor2d(centers, [n, 1], 'int32'), tf.tensor2d(targets, [n, k1], 'int32')], { training: true }) as tf.Tensor2D;
  const sign = tf.tensor2d([[-1, ...new Array<number>(k1 - 1).fill(1)]]);
  const z = tf.mul(logits, sign);
  return { loss: tf.mean(tf.sum(tf.softplus(z), 1)), accuracy: tf.mean(tf.cast(tf.less(z, 0), 'float32')) };
}

function streamOf(ds: Dataset): Float32Array {
  if (ds.inputShape.length !== 1 || ds.inputShape[0] !== 1 || ds.labelSize !== 0) throw new Error(`word2vec needs a word stream dataset (rows of one word id, no labels), got ${ds.name}`);
  return ds.train.x;
}

const skipGram: CustomStep = {
  countIsIndices: true,
  *compute({ model, dataset, config, indices, seed }) {
    const o = skipGramOptions(config);
    const stream = streamOf(dataset);
    const b = skipGramBatch(stream, indices, seed, samplerFor(stream, dataset.numClasses), o);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let loss!: tf.Scalar;
    let accuracy!: tf.Scalar;
    const grads = tf.tidy(() => {
      const { value, grads: g } = tf.variableGrads(() => {
        const r = sgnsLoss(model, b.centers, b.targets, b.n, o.negatives + 1);
        // variableGrads disposes what its function made; the accuracy must outlive it.
        accuracy = tf.keep(r.accuracy);
        return r.loss;
      }, vars);
      loss = tf.keep(value);
      return vars.map((v) => g[v.name]!);
    });
    try {
      return { grads, count: b.n, loss: (yield loss)[0]!, metrics: { accuracy: (yield accuracy)[0]! } };
    } catch (e) {
      tf.dispose(grads);
      throw e;
    } finally {
      tf.dispose([loss, accuracy]);
    }
  },
  /** The loss on held-out text (pairs drawn from the test stream with a fixed seed) and the related-pair check. */
  evaluate(ctx) {
    const { model, dataset, config } = ctx;
    const o = skipGramOptions(config);
    const sampler = samplerFor(streamOf(dataset), dataset.numClasses);
    const test = dataset.test.x;
    let loss = 0;
    let accuracy = 0;
    for (let start = 0; start < dataset.test.n; start += EVAL_CHUNK) {
      const positions = Array.from({ length: Math.min(EVAL_CHUNK, dataset.test.n - start) }, (_, i) => start + i);
      const b = skipGramBatch(test, positions, EVAL_SEED, sampler, o);
      tf.tidy(() => {
        const r = sgnsLoss(model, b.centers, b.targets, b.n, o.negatives + 1);
        loss += r.loss.dataSync()[0]! * b.n;
        accuracy += r.accuracy.dataSync()[0]! * b.n;
      });
    }
    const n = Math.max(1, dataset.test.n);
    return { loss: loss / n, metrics: { accuracy: accuracy / n, relatedPairWinRate: relatedPairs(ctx).winRate } };
  },
};

/** The trained centre-word vectors with their words. */
export function wordVectors(ctx: ModelContext, center = true): WordVectors {
  const words = ctx.dataset.classNames;
  if (!words || words.length !== ctx.dataset.numClasses) throw new Error(`dataset ${ctx.dataset.name} has no vocabulary`);
  const m = ctx.model.getLayer(WORD_VECTORS_LAYER).getWeights()[0]!;
  return new WordVectors(words, m.dataSync(), m.shape[1]!, center);
}

/** The check of issue #5: related pairs against pairs with a random vocabulary word, and against the list's own mismatched pairs. */
export function relatedPairs(ctx: ModelContext): PairCheck & { shuffled: PairCheck } {
  const v = wordVectors(ctx);
  const random = relatedPairCheck(v, RELATED_PAIRS, (rng) => Math.floor(rng() * v.words.length), PAIR_DRAWS, PAIR_SEED);
  // A stricter control: the partner is the second word of another pair on the list, as frequent and
  // as "political" as the real partner, so frequency alone cannot win.
  const others = RELATED_PAIRS.map(([, b]) => b).filter((w) => v.has(w)).map((w) => v.id(w));
  const shuffled = relatedPairCheck(v, RELATED_PAIRS, (rng) => others[Math.floor(rng() * others.length)]!, PAIR_DRAWS, PAIR_SEED);
  return { ...random, shuffled };
}

export function word2vecReport(ctx: ModelContext): Record<string, number | string> {
  const check = relatedPairs(ctx);
  const v = wordVectors(ctx);
  const neighbours = PROBES.filter((w) => v.has(w)).map((w) => `${w}: ${v.nearest(w, 5).map((n) => n.word).join(', ')}`);
  return {
    relatedPairWinRate: check.winRate,
    relatedPairsUsed: check.pairsUsed,
    relatedPairComparisons: check.comparisons,
    meanRelatedCosine: check.meanRelated,
    meanRandomCosine: check.meanRandom,
    shuffledPairWinRate: check.shuffled.winRate,
    vocabulary: v.words.length,
    neighbours: neighbours.join(' | '),
  };
}

export const word2vec: ModelDefinition = {
  name: 'word2vec',
  summary: `skip-gram with negative sampling: ${DIMS}-d word and context embeddings, window ${WINDOW}, ${NEGATIVES} noise words per pair`,
  teaches: 'word embeddings: predict a word\'s neighbours against noise words; similar words end up with similar vectors',
  defaultDataset: 'sotu-words',
  datasets: ['sotu-words'],
  build: buildWord2vec,
  // The supervised path is never taken: the custom step draws its pairs and scores them itself.
  loss: () => {
    throw new Error('word2vec trains through its custom step');
  },
  metrics: {},
  // Plain SGD, as word2vec itself: Adam's per-weight scaling gives every rarely seen row a full-size
  // step along the shared "reject the noise words" direction, and all vectors collapsed onto it
  // (measured: random pairs at cosine 0.84). The loss is a mean over the round's pairs, so 100 at a
  // batch of 1,024 is 0.1 per pair (word2vec starts at 0.025 per pair, over far more pairs).
  optimizer: { name: 'sgd', learningRate: 100 },
  defaults: { batch: 1024, epochs: 2 },
  options: {
    dims: `vector size (default ${DIMS})`,
    window: `largest distance of a context word (default ${WINDOW}); each pair draws its own window in [1, window]`,
    negatives: `noise words per (centre, context) pair (default ${NEGATIVES})`,
  },
  customStep: skipGram,
  report: word2vecReport,
  artifacts: (ctx) => {
    const v = ctx.model.getLayer(WORD_VECTORS_LAYER).getWeights()[0]!;
    const words = ctx.dataset.classNames ?? [];
    return [
      { kind: 'text', file: 'vectors.tsv', description: `${words.length} word vectors of ${v.shape[1]} values (projector.tensorflow.org: Load → vectors)`, text: projectorVectorsTsv(v.dataSync(), v.shape[1]!) },
      { kind: 'text', file: 'metadata.tsv', description: 'the word of each vector, same order (projector: Load → metadata)', text: projectorMetadataTsv(words) },
    ];
  },
};
