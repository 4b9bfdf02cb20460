import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '@shardgrad/data';
import { deriveSeed } from '@shardgrad/data';
import type { TensorData } from '@shardgrad/codec';
import { type CustomStep, type CustomStepResult, readAsync, readSync } from '@shardgrad/models';
import { readFlatAsync, readFlatSync, type ShardGradients } from './gradients.ts';
import { readVariables, readVariablesAsync, stateVariables, trainableVariables } from './weights.ts';

/**
 * The seed a custom step draws from: one per round. Steps derive each item's randomness from
 * (seed, index), so however a round's indices are split (shards, threads, reassigned copies), every
 * item draws the same numbers and the round's gradient does not depend on the split.
 */
export const roundSeed = (runSeed: number, round: number): number => deriveSeed(runSeed, round);

type CountedShard = ShardGradients & { count: number };

/** Runs a model's custom step and turns its tensors into the wire layout (trainable grads, then state). */
export function computeCustomStep(step: CustomStep, model: tf.LayersModel, dataset: Dataset, config: Record<string, unknown>, indices: ArrayLike<number>, seed: number): CountedShard {
  const r = readSync(step.compute({ model, dataset, config, indices, seed }));
  try {
    return { ...counted(r), grads: layOut(model, r, readFlatSync(r.grads)), state: readVariables(stateVariables(model)) };
  } finally {
    r.grads.forEach((g) => g.dispose());
  }
}

/** computeCustomStep with asynchronous reads, for WebGPU; same result. */
export async function computeCustomStepAsync(
  step: CustomStep,
  model: tf.LayersModel,
  dataset: Dataset,
  config: Record<string, unknown>,
  indices: ArrayLike<number>,
  seed: number,
): Promise<CountedShard> {
  const r = await readAsync(step.compute({ model, dataset, config, indices, seed }));
  try {
    const flat = await readFlatAsync(r.grads);
    return { ...counted(r), grads: layOut(model, r, flat), state: await readVariablesAsync(stateVariables(model)) };
  } finally {
    r.grads.forEach((g) => g.dispose());
  }
}

const counted = (r: CustomStepResult) => ({ loss: r.loss, metrics: r.metrics, count: r.count });

/** The step's gradients, read into `flat`, as one tensor per trainable variable; checked against the variables first. */
function layOut(model: tf.LayersModel, r: CustomStepResult, flat: Float32Array): TensorData[] {
  const vars = trainableVariables(model);
  if (r.grads.length !== vars.length) throw new Error(`custom step returned ${r.grads.length} gradients for ${vars.length} variables`);
  let off = 0;
  return vars.map((v, i) => {
    if (r.grads[i]!.size !== v.size) throw new Error(`custom step gradient ${i} has ${r.grads[i]!.size} values, variable has ${v.size}`);
    const t = { shape: [...v.shape], dtype: 'float32' as const, data: flat.subarray(off, off + v.size) };
    off += v.size;
    return t;
  });
}
