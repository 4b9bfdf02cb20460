import * as tf from '@tensorflow/tfjs';
import type { TensorData } from '@shardgrad/codec';
import type { ModelDefinition } from '@shardgrad/models';
import { readVariables, readVariablesAsync, stateVariables, trainableVariables } from './weights.ts';
import { weightPenalty } from './weight-penalty.ts';

export interface ShardGradients {
  /** Gradient of the shard's MEAN loss, one tensor per trainable weight, in position order. */
  grads: TensorData[];
  /** The model's state (batch-norm statistics) after this shard's forward pass; empty for most models. */
  state: TensorData[];
  loss: number;
  metrics: Record<string, number>;
}

/**
 * Gradient of the mean loss over one shard. The shard-weighted mean of these over a batch's shards
 * equals the gradient over the whole batch, which is what makes the cluster exact.
 * Reads synchronously and disposes everything it made, so no tensor outlives the call.
 */
export function computeGradients(
  model: tf.LayersModel,
  def: Pick<ModelDefinition, 'loss' | 'metrics'>,
  x: tf.Tensor,
  y: tf.Tensor,
): ShardGradients {
  const t = gradientTensors(model, def, x, y);
  try {
    const metrics = t.metrics.map(([k, s]) => [k, s.dataSync()[0]!] as const);
    return assemble(model, t.flat.dataSync() as Float32Array, t.loss.dataSync()[0]!, metrics, readVariables(stateVariables(model)));
  } finally {
    disposeGradientTensors(t);
  }
}

/**
 * computeGradients with asynchronous reads, for backends whose synchronous read is slow or missing
 * (WebGPU reads synchronously through a canvas, which returned zeros in a Web Worker on SwiftShader).
 * Same numbers as computeGradients.
 */
export async function computeGradientsAsync(
  model: tf.LayersModel,
  def: Pick<ModelDefinition, 'loss' | 'metrics'>,
  x: tf.Tensor,
  y: tf.Tensor,
): Promise<ShardGradients> {
  const t = gradientTensors(model, def, x, y);
  try {
    const [flat, loss, ...values] = await Promise.all([t.flat.data(), t.loss.data(), ...t.metrics.map(([, s]) => s.data())]);
    const metrics = t.metrics.map(([k], i) => [k, values[i]![0]!] as const);
    return assemble(model, flat as Float32Array, loss[0]!, metrics, await readVariablesAsync(stateVariables(model)));
  } finally {
    disposeGradientTensors(t);
  }
}

interface GradientTensors {
  loss: tf.Scalar;
  metrics: [string, tf.Scalar][];
  /** Every trainable variable's gradient, concatenated in position order. */
  flat: tf.Tensor;
}

/** The shard's loss, metrics and gradient as tensors, made in one synchronous tidy; the caller reads and disposes them. */
function gradientTensors(model: tf.LayersModel, def: Pick<ModelDefinition, 'loss' | 'metrics'>, x: tf.Tensor, y: tf.Tensor): GradientTensors {
  const vars = trainableVariables(model);
  const metricTensors: [string, tf.Scalar][] = [];
  let loss!: tf.Scalar;
  const flat = tf.tidy(() => {
    let dataLoss: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const pred = model.apply(x, { training: true }) as tf.Tensor;
      // Kept: variableGrads disposes everything but the loss when its closure returns.
      for (const [k, fn] of Object.entries(def.metrics)) metricTensors.push([k, tf.keep(fn(y, pred))]);
      const objective = def.loss(y, pred);
      const penalty = weightPenalty(model);
      if (!penalty) return objective;
      // The reported loss stays the data loss, comparable with the test loss; the L1/L2 penalty only steers.
      dataLoss = tf.keep(objective);
      return tf.add(objective, penalty) as tf.Scalar;
    }, vars);
    loss = dataLoss ?? tf.keep(value);
    // One concat and one read: a single copy out of the backend instead of one per variable.
    return tf.concat(vars.map((v) => tf.reshape(grads[v.name]!, [-1])));
  });
  return { loss, metrics: metricTensors, flat };
}

function disposeGradientTensors(t: GradientTensors): void {
  t.loss.dispose();
  t.flat.dispose();
  for (const [, s] of t.metrics) s.dispose();
}

function assemble(
  model: tf.LayersModel,
  flat: Float32Array,
  loss: number,
  metricValues: readonly (readonly [string, number])[],
  state: TensorData[],
): ShardGradients {
  const out: TensorData[] = [];
  let off = 0;
  for (const v of trainableVariables(model)) {
    out.push({ shape: [...v.shape], dtype: 'float32', data: flat.subarray(off, off + v.size) });
    off += v.size;
  }
  return { grads: out, state, loss, metrics: Object.fromEntries(metricValues) };
}
