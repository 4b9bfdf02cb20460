import type * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from '@shardgrad/models';
import { Adam } from './optimizers/adam.ts';
import { Momentum } from './optimizers/momentum.ts';
import type { ArrayOptimizer } from './optimizers/optimizer.ts';
import { RmsProp } from './optimizers/rmsprop.ts';
import { Sgd } from './optimizers/sgd.ts';
import { SimdAdam } from './optimizers/simd-adam.ts';
import { readVariables, trainableVariables, writeVariables } from './weights.ts';

export type { ArrayOptimizer, OptimizerState } from './optimizers/optimizer.ts';
export { MAX_GRADIENT_SUM_OF_SQUARES } from './optimizers/optimizer.ts';
export type Optimizer = ArrayOptimizer;

/** Compiled kernels an optimizer may run its step in (update-kernels.wat, loadUpdateKernels); absent, plain loops. */
export interface OptimizerKernels {
  adam?: WebAssembly.Module;
}

export function createOptimizer(cfg: OptimizerConfig, kernels: OptimizerKernels = {}): ArrayOptimizer {
  switch (cfg.name) {
    case 'sgd':
      return new Sgd(cfg.learningRate);
    case 'momentum':
      return new Momentum(cfg.learningRate);
    case 'rmsprop':
      return new RmsProp(cfg.learningRate);
    case 'adam':
      return kernels.adam ? new SimdAdam(kernels.adam, cfg.learningRate, cfg.beta1) : new Adam(cfg.learningRate, cfg.beta1);
    default:
      throw new Error(`unknown optimizer "${(cfg as { name: string }).name}"; use sgd, momentum, rmsprop or adam`);
  }
}

/**
 * Applies one step to a tfjs model's trainable variables. Every variable is passed, always in
 * position order: optimizers keep their slots by position, so a subset would mix up moments.
 */
export function applyGradients(optimizer: ArrayOptimizer, model: tf.LayersModel, grads: readonly Float32Array[]): void {
  const vars = trainableVariables(model);
  if (grads.length !== vars.length) throw new Error(`expected ${vars.length} gradients, got ${grads.length}`);
  const params = readVariables(vars);
  optimizer.apply(params.map((p) => p.data as Float32Array), grads);
  writeVariables(vars, params);
}

/** Changes the learning rate in place (schedules, scaling rules, the teacher's control). */
export function setLearningRate(optimizer: ArrayOptimizer, lr: number): void {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be a positive number, got ${lr}`);
  optimizer.learningRate = lr;
}

/** The learning rate the optimizer applies now. */
export function getLearningRate(optimizer: ArrayOptimizer): number {
  return optimizer.learningRate;
}
