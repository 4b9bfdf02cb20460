import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '@shardgrad/data';
import { deriveSeed } from '@shardgrad/data';
import type { CustomStep } from '@shardgrad/models';
import { readFlatSync, type ShardGradients } from './gradients.ts';
import { readVariables, stateVariables, trainableVariables } from './weights.ts';

/**
 * The seed a custom step draws from: one per round. Steps derive each item's randomness from
 * (seed, index), so however a round's indices are split (shards, threads, reassigned copies), every
 * item draws the same numbers and the round's gradient does not depend on the split.
 */
export const roundSeed = (runSeed: number, round: number): number => deriveSeed(runSeed, round);

/** Runs a model's custom step and turns its tensors into the wire layout (trainable grads, then state). */
export function computeCustomStep(
  step: CustomStep,
  model: tf.LayersModel,
  dataset: Dataset,
  config: Record<string, unknown>,
  indices: ArrayLike<number>,
  seed: number,
): ShardGradients & { count: number } {
  const vars = trainableVariables(model);
  const r = step.compute({ model, dataset, config, indices, seed });
  try {
    if (r.grads.length !== vars.length) throw new Error(`custom step returned ${r.grads.length} gradients for ${vars.length} variables`);
    r.grads.forEach((g, i) => {
      if (g.size !== vars[i]!.size) throw new Error(`custom step gradient ${i} has ${g.size} values, variable has ${vars[i]!.size}`);
    });
    const data = readFlatSync(r.grads);
    let off = 0;
    const grads = vars.map((v) => {
      const t = { shape: [...v.shape], dtype: 'float32' as const, data: data.subarray(off, off + v.size) };
      off += v.size;
      return t;
    });
    return { grads, state: readVariables(stateVariables(model)), loss: r.loss, metrics: r.metrics, count: r.count };
  } finally {
    r.grads.forEach((g) => g.dispose());
  }
}
