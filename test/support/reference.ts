import * as tf from '@tensorflow/tfjs';
import { epochOrder, takeRows, type Dataset } from '@shardgrad/data';
import type { ModelDefinition } from '@shardgrad/models';
import { applyGradients, computeGradients, createOptimizer, readAll, writeAll } from '@shardgrad/trainer';
import type { TensorData } from '@shardgrad/codec';

/**
 * One process training on whole batches, in the same data order as the coordinator: the yardstick
 * that N workers must reproduce to float error.
 */
export function trainSingleProcess(
  def: ModelDefinition,
  ds: Dataset,
  initial: readonly TensorData[],
  o: { batch: number; steps: number; seed: number; learningRate?: number },
): TensorData[] {
  const model = def.build({ inputShape: ds.inputShape, numClasses: ds.numClasses, seed: o.seed, config: {} });
  writeAll(model, initial);
  const opt = createOptimizer({ ...def.optimizer, learningRate: o.learningRate ?? def.optimizer.learningRate });
  const order = epochOrder(ds.train.n, o.seed, 0);
  for (let step = 0; step < o.steps; step++) {
    const rows = takeRows(ds, ds.train, order.subarray(step * o.batch, (step + 1) * o.batch));
    const x = tf.tensor(rows.x, [rows.n, ...ds.inputShape]);
    const y = tf.tensor(rows.y, [rows.n, ds.labelSize]);
    const g = computeGradients(model, def, x, y);
    x.dispose();
    y.dispose();
    applyGradients(opt, model, g.grads.map((t) => t.data as Float32Array));
  }
  const out = readAll(model);
  model.dispose();
  opt.dispose();
  return out;
}
