import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '@shardgrad/data';
import type { ModelDefinition } from '@shardgrad/models';
import { ShardComputer } from './shard-computer.ts';

/**
 * Peak tensor bytes that each further sample adds to one gradient pass of the run's model: the
 * difference between passes of `samples` and twice as many training rows, measured with tf.profile
 * on a model built for the purpose (a pass moves batch-norm statistics, which the run's own model
 * must not see). The difference leaves out what any pass holds (weights, their gradients); for
 * the curriculum CNN it gives 1.65 MB against 2.1 MB from one 8-sample pass divided by 8.
 */
export async function peakBytesPerSample(
  def: ModelDefinition,
  dataset: Dataset,
  modelConfig: Record<string, unknown>,
  samples = 8,
): Promise<number> {
  const n = Math.min(samples, Math.floor(dataset.train.n / 2));
  if (n < 1) throw new Error('the training split has under 2 rows: nothing to measure a pass on');
  const config = { ...modelConfig, microBatch: undefined, augment: undefined };
  const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: 1, config });
  try {
    const computer = new ShardComputer(def, dataset, model, config);
    const peak = async (rows: number) => {
      const before = tf.memory().numBytes;
      const info = await tf.profile(() => {
        computer.compute(Array.from({ length: rows }, (_, i) => i));
      });
      return info.peakBytes - before;
    };
    const small = await peak(n);
    const large = await peak(2 * n);
    return Math.max(large - small, 0) / n || large / (2 * n);
  } finally {
    model.dispose();
  }
}
