import { registerBroadcastBatchNormGradient } from './fused-batch-norm-grad.ts';
import { registerReluGradient } from './relu-grad.ts';
import { registerBroadcastReductionGradients } from './reduction-grads.ts';

/**
 * Our replacements of tfjs-core gradients (batch norm without tile, relu in one pass where our
 * SIMD module runs, Mean and Sum without an input-sized array of ones). Process-wide, for every
 * backend, with tfjs-core's values. Idempotent.
 */
export function registerGradientOverrides(): void {
  registerBroadcastBatchNormGradient();
  registerReluGradient();
  registerBroadcastReductionGradients();
}
