import { mnistMlp } from './mnist-mlp.ts';
import { cnn } from './cnn.ts';
import { transfer } from './transfer.ts';
import { regression } from './regression.ts';
import { multilabel } from './multilabel.ts';
import { playground } from './playground.ts';
import { autoencoder } from './autoencoder.ts';
import type { ModelDefinition } from './types.ts';
import { ModelConfigError } from './model-options.ts';
import { pong } from './pong/pong.ts';
import { birnn } from './sequence/birnn.ts';
import { charRnn } from './sequence/char-rnn.ts';
import { seq2seq } from './sequence/seq2seq.ts';
import { word2vec } from './word2vec/word2vec.ts';
import { gan } from './gan/gan.ts';

const registry = new Map<string, ModelDefinition>();

export function registerModel(def: ModelDefinition): void {
  if (registry.has(def.name)) throw new Error(`model "${def.name}" is already registered`);
  registry.set(def.name, def);
}

export function modelNames(): string[] {
  return [...registry.keys()].sort();
}

export function listModels(): ModelDefinition[] {
  return modelNames().map((n) => registry.get(n)!);
}

/** A model name the registry does not know: the user's mistake, so the message lists the known ones. */
export class UnknownModelError extends ModelConfigError {
  override name = 'UnknownModelError';
}

/** Looks a model up by name. */
export function getModel(name: string): ModelDefinition {
  const def = registry.get(name);
  if (!def) throw new UnknownModelError(`unknown model "${name}"; known models: ${modelNames().join(', ')}`);
  return def;
}

/** Why `def` cannot train on `dataset`, in words (the datasets it takes); undefined when it can. */
export function datasetMismatch(def: Pick<ModelDefinition, 'name' | 'datasets'>, dataset: string): string | undefined {
  return def.datasets.includes(dataset) ? undefined : `model "${def.name}" does not train on dataset "${dataset}"; it takes: ${def.datasets.join(', ')}`;
}

registerModel(mnistMlp);
registerModel(cnn);
registerModel(transfer);
registerModel(regression);
registerModel(multilabel);
registerModel(playground);
registerModel(autoencoder);
registerModel(pong);
registerModel(birnn);
registerModel(charRnn);
registerModel(seq2seq);
registerModel(gan);
registerModel(word2vec);
