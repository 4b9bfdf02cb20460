import * as tf from '@tensorflow/tfjs';
import type { Dataset, Split } from '@shardgrad/data';
import type { ModelDefinition } from '@shardgrad/models';

/** Bounds memory when evaluating large splits. */
const EVAL_BATCH = 500;

/** Mean loss and metrics of `model` over a whole split, in inference mode. */
export function evaluate(
  model: tf.LayersModel,
  def: Pick<ModelDefinition, 'loss' | 'metrics' | 'customStep'>,
  ds: Pick<Dataset, 'inputShape' | 'labelSize'>,
  split: Split,
  config: Record<string, unknown> = {},
): { loss: number; metrics: Record<string, number> } {
  if (def.customStep?.evaluate) return def.customStep.evaluate({ model, dataset: { ...(ds as Dataset), test: split }, config });
  const xs = ds.inputShape.reduce((a, b) => a * b, 1);
  let loss = 0;
  const sums: Record<string, number> = {};
  for (let start = 0; start < split.n; start += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, split.n - start);
    tf.tidy(() => {
      const x = tf.tensor(split.x.subarray(start * xs, (start + n) * xs), [n, ...ds.inputShape]);
      const y = tf.tensor(split.y.subarray(start * ds.labelSize, (start + n) * ds.labelSize), [n, ds.labelSize]);
      const pred = model.apply(x, { training: false }) as tf.Tensor;
      loss += def.loss(y, pred).dataSync()[0]! * n;
      for (const [k, fn] of Object.entries(def.metrics)) sums[k] = (sums[k] ?? 0) + fn(y, pred).dataSync()[0]! * n;
    });
  }
  const metrics: Record<string, number> = {};
  for (const k of Object.keys(sums)) metrics[k] = sums[k]! / split.n;
  return { loss: loss / split.n, metrics };
}

/** Class probabilities for a few inputs, for `predict` and the final report. */
export function predictProbabilities(model: tf.LayersModel, inputShape: number[], x: Float32Array): Float32Array[] {
  const xs = inputShape.reduce((a, b) => a * b, 1);
  const n = x.length / xs;
  return tf.tidy(() => {
    const p = model.predict(tf.tensor(x, [n, ...inputShape])) as tf.Tensor;
    const flat = p.dataSync() as Float32Array;
    const k = flat.length / n;
    return Array.from({ length: n }, (_, i) => flat.slice(i * k, (i + 1) * k));
  });
}
