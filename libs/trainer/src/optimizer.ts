import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from '@shardgrad/models';
import { trainableVariables } from './weights.ts';

/** Keras' default momentum; only used by the 'momentum' optimizer. */
const MOMENTUM = 0.9;

export function createOptimizer(cfg: OptimizerConfig): tf.Optimizer {
  switch (cfg.name) {
    case 'sgd':
      return tf.train.sgd(cfg.learningRate);
    case 'momentum':
      return tf.train.momentum(cfg.learningRate, MOMENTUM);
    case 'rmsprop':
      return tf.train.rmsprop(cfg.learningRate);
    case 'adam':
      return tf.train.adam(cfg.learningRate);
    default:
      throw new Error(`unknown optimizer "${(cfg as { name: string }).name}"; use sgd, momentum, rmsprop or adam`);
  }
}

/**
 * Applies one step. Every variable is passed, always in position order: Adam and friends keep their
 * slot variables by position, so a subset or another order would mix up moments.
 */
export function applyGradients(optimizer: tf.Optimizer, model: tf.LayersModel, grads: readonly Float32Array[]): void {
  const vars = trainableVariables(model);
  if (grads.length !== vars.length) throw new Error(`expected ${vars.length} gradients, got ${grads.length}`);
  tf.tidy(() => {
    const named = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[i]!, v.shape, 'float32') }));
    optimizer.applyGradients(named);
  });
}

/** Changes the learning rate in place (schedules, scaling rules, the teacher's control). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}
