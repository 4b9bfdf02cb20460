import * as tf from '@tensorflow/tfjs';
import type { TensorData } from '@shardgrad/codec';
import type { ModelDefinition } from '@shardgrad/models';
import { readVariables, stateVariables, trainableVariables } from './weights.ts';

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
 * Everything stays inside one synchronous tidy, so no tensor outlives the call.
 */
export function computeGradients(
  model: tf.LayersModel,
  def: Pick<ModelDefinition, 'loss' | 'metrics'>,
  x: tf.Tensor,
  y: tf.Tensor,
): ShardGradients {
  const vars = trainableVariables(model);
  let loss = 0;
  const metrics: Record<string, number> = {};
  const flatGrads = tf.tidy(() => {
    const metricTensors: [string, tf.Scalar][] = [];
    const { value, grads } = tf.variableGrads(() => {
      const pred = model.apply(x, { training: true }) as tf.Tensor;
      // Kept: variableGrads disposes everything but the loss when its closure returns.
      for (const [k, fn] of Object.entries(def.metrics)) metricTensors.push([k, tf.keep(fn(y, pred))]);
      return def.loss(y, pred);
    }, vars);
    loss = value.dataSync()[0]!;
    for (const [k, t] of metricTensors) {
      metrics[k] = t.dataSync()[0]!;
      t.dispose();
    }
    // One concat and one read: a single copy out of the backend instead of one per variable.
    return tf.concat(vars.map((v) => tf.reshape(grads[v.name]!, [-1])));
  });
  const flat = flatGrads.dataSync() as Float32Array;
  flatGrads.dispose();
  const out: TensorData[] = [];
  let off = 0;
  for (const v of vars) {
    out.push({ shape: [...v.shape], dtype: 'float32', data: flat.subarray(off, off + v.size) });
    off += v.size;
  }
  return { grads: out, state: readVariables(stateVariables(model)), loss, metrics };
}
