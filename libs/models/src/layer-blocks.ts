/**
 * Layer blocks that apply the common options (model-options.ts) the same way in every model:
 * weight penalty on kernels, normalization between the linear map and its activation (the
 * Ioffe & Szegedy placement), dropout after the activation.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelOptions } from './model-options.ts';

type Layer = tf.layers.Layer;

/** Optional explicit layer names; transfer learning finds the layers of a base by their prefix. */
const named = (prefix: string | undefined, suffix: string) => (prefix ? { name: `${prefix}_${suffix}` } : {});

/** L1/L2 penalty for kernels, or undefined when both are 0 (so default models stay exactly as before). */
export function kernelRegularizer(o: Pick<ModelOptions, 'l1' | 'l2'>): ReturnType<typeof tf.regularizers.l1l2> | undefined {
  if (!o.l1 && !o.l2) return undefined;
  return tf.regularizers.l1l2({ l1: o.l1, l2: o.l2 });
}

/**
 * The standardization layer `(x - mean) / std`, first in the model so a saved model takes raw
 * inputs. Empty when normalization is off. `normalize: true` must have been resolved to statistics.
 */
export function inputLayers(o: Pick<ModelOptions, 'normalize'>, inputShape: number[], prefix?: string): Layer[] {
  if (o.normalize === false) return [];
  if (o.normalize === true) throw new Error('normalize: the coordinator resolves it to the training statistics before building (resolveInputStats)');
  const { mean, std } = o.normalize;
  return [tf.layers.rescaling({ inputShape, scale: 1 / std, offset: -mean / std, ...named(prefix, 'normalize') })];
}

/** Normalization then the activation, when a normalization is on; otherwise nothing (the linear layer activates). */
function normThenActivation(o: ModelOptions, activation: 'relu', prefix: string | undefined, i: string): Layer[] {
  if (o.batchNorm) return [tf.layers.batchNormalization({ ...named(prefix, `bn${i}`) }), tf.layers.activation({ activation, ...named(prefix, `act${i}`) })];
  if (o.layerNorm) return [tf.layers.layerNormalization({ ...named(prefix, `ln${i}`) }), tf.layers.activation({ activation, ...named(prefix, `act${i}`) })];
  return [];
}

// No seed on the layer: tfjs re-seeds its generator on every call, so a seeded dropout drops the
// same units at every step. Workers draw each sample's mask from the round's seed instead
// (libs/trainer/src/sample-dropout.ts), so a spot check or a thread computes the same masks.
const dropoutLayer = (o: ModelOptions, prefix: string | undefined, i: string): Layer[] =>
  o.dropout > 0 ? [tf.layers.dropout({ rate: o.dropout, ...named(prefix, `drop${i}`) })] : [];

/** Dense → [norm → relu | relu] → [dropout]. Without options: exactly `dense(units, relu)`. */
export function denseBlock(units: number, o: ModelOptions, seed: number, opts: { prefix?: string; index?: number; inputShape?: number[] } = {}): Layer[] {
  const i = String(opts.index ?? '');
  const norm = o.batchNorm || o.layerNorm;
  return [
    tf.layers.dense({
      units,
      activation: norm ? 'linear' : 'relu',
      // A bias before batch norm is cancelled by its mean subtraction; beta does its job.
      useBias: !o.batchNorm,
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      kernelRegularizer: kernelRegularizer(o),
      ...(opts.inputShape ? { inputShape: opts.inputShape } : {}),
      ...named(opts.prefix, `dense${i}`),
    }),
    ...normThenActivation(o, 'relu', opts.prefix, i),
    ...dropoutLayer(o, opts.prefix, i),
  ];
}

/** Conv 3x3 same → [norm → relu | relu] → max-pool 2x2 → [dropout]. */
export function convBlock(filters: number, o: ModelOptions, seed: number, opts: { prefix?: string; index?: number; inputShape?: number[] } = {}): Layer[] {
  const i = String(opts.index ?? '');
  const norm = o.batchNorm || o.layerNorm;
  return [
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: norm ? 'linear' : 'relu',
      useBias: !o.batchNorm,
      kernelInitializer: tf.initializers.heNormal({ seed }),
      kernelRegularizer: kernelRegularizer(o),
      ...(opts.inputShape ? { inputShape: opts.inputShape } : {}),
      ...named(opts.prefix, `conv${i}`),
    }),
    ...normThenActivation(o, 'relu', opts.prefix, i),
    tf.layers.maxPooling2d({ poolSize: 2, ...named(opts.prefix, `pool${i}`) }),
    ...dropoutLayer(o, opts.prefix, i),
  ];
}

/** The classifier: Dense(numClasses, softmax), with the kernel penalty when one is on. */
export function softmaxHead(numClasses: number, o: ModelOptions, seed: number, name?: string): Layer {
  return tf.layers.dense({
    units: numClasses,
    activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    kernelRegularizer: kernelRegularizer(o),
    ...(name ? { name } : {}),
  });
}
