import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ModelMeta } from '@shardgrad/coordinator';
import { CHECKPOINTS_DIR, METRICS_CSV, METRICS_JSONL, RUN_JSON } from '@shardgrad/runlog';
import { isOneOfKClassifier } from './format-prediction.ts';

/**
 * What `predict` says for a model's outputs: the class of one-of-k classifiers, the yes/no labels of
 * multi-label ones (one sigmoid per named label), or the real number of a regression (in its unit).
 */
export type PredictMode = 'class' | 'labels' | 'value';

/** The models predict takes, by mode, and those it refuses: for `predict --help` and README.md (a spec checks they cover the registry). */
export const PREDICT_MODELS = {
  class: ['mnist-mlp', 'cnn', 'transfer', 'playground'],
  labels: ['multilabel'],
  value: ['regression'],
  refused: ['autoencoder', 'birnn', 'char-rnn', 'seq2seq', 'gan', 'pong', 'word2vec'],
} as const;

export function predictMode(def: { customStep?: unknown }, meta: Pick<ModelMeta, 'labelSize' | 'numClasses' | 'classNames'>, model: tf.LayersModel): PredictMode | undefined {
  if (def.customStep) return undefined;
  if (isOneOfKClassifier(def, meta)) return 'class';
  if (meta.labelSize === 1 && meta.numClasses === 1) return 'value';
  const last = model.layers.at(-1)?.getConfig().activation;
  if (meta.labelSize > 1 && meta.labelSize === meta.numClasses && meta.classNames?.length === meta.labelSize && last === 'sigmoid') return 'labels';
  return undefined;
}

/** What the outputs of the models predict refuses are, in words. */
const OUTPUTS: Record<string, string> = {
  autoencoder: 'reconstructed images',
  birnn: 'a yes/no tag for every position of a symbol sequence',
  'char-rnn': 'next-character scores at every position of a text',
  seq2seq: 'the characters of an ISO date for a date text',
  gan: "generated images and a discriminator's real-or-fake score",
  pong: 'the probability of moving the paddle up',
  word2vec: 'word vectors',
};

/** Files every run directory has; what is left is what train wrote of the model (pictures, samples, vectors). */
const RUN_BOOKKEEPING = new Set([RUN_JSON, METRICS_JSONL, METRICS_CSV, CHECKPOINTS_DIR, 'model']);

/** What train wrote of the model into its run directory, as names (folders with a trailing /). */
export function runOutputs(runDir: string | undefined): string[] {
  if (!runDir || !existsSync(runDir)) return [];
  return readdirSync(runDir)
    .filter((n) => !RUN_BOOKKEEPING.has(n) && !n.startsWith('events.out.tfevents.') && !n.startsWith('.'))
    .map((n) => (statSync(join(runDir, n)).isDirectory() ? `${n}/` : n))
    .sort();
}

/** Why predict does not take this model, and what does instead, true for this model and this run directory. */
export function refusalMessage(def: { name: string; report?: unknown }, modelDir: string, runDir: string | undefined): string {
  const model = def.name;
  const outputs = OUTPUTS[model] ?? 'neither class scores, labels nor a number';
  const instead = [`\`npx shardgrad evaluate --model-dir ${modelDir}\` gives its test metrics${def.report ? ' and the figures train reported' : ''}`];
  if (model === 'word2vec') instead.push(`\`npx shardgrad neighbours --run ${runDir ?? '<run directory>'} --word <word>\` its nearest words`);
  const files = runOutputs(runDir);
  const held = files.length > 0 ? `; its run directory ${runDir} holds what train wrote of it: ${files.join(', ')}` : '';
  return `predict gives a class, labels or a number, and ${model}'s outputs are ${outputs}: ${instead.join(', and ')}${held}`;
}
