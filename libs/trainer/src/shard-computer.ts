import * as tf from '@tensorflow/tfjs';
import type { TensorData } from '@shardgrad/codec';
import { type Dataset, rowSize, takeRows } from '@shardgrad/data';
import type { ModelDefinition } from '@shardgrad/models';
import { computeGradients, type ShardGradients } from './gradients.ts';
import { writeAll } from './weights.ts';

/**
 * The worker's side of a round, free of any transport: holds the model and the data,
 * takes weights, and turns sample indices into a gradient. Node processes, worker_threads and
 * browser Web Workers all wrap this same class.
 */
export class ShardComputer {
  constructor(
    readonly def: ModelDefinition,
    readonly dataset: Dataset,
    readonly model: tf.LayersModel,
  ) {}

  /** Trainable weights then state, as the coordinator broadcasts them. */
  setWeights(tensors: readonly TensorData[]): void {
    writeAll(this.model, tensors);
  }

  compute(indices: ArrayLike<number>): ShardGradients & { count: number } {
    const rows = takeRows(this.dataset, this.dataset.train, indices);
    const x = tf.tensor(rows.x, [rows.n, ...this.dataset.inputShape]);
    const y = tf.tensor(rows.y, [rows.n, this.dataset.labelSize]);
    try {
      return { ...computeGradients(this.model, this.def, x, y), count: rows.n };
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  get samplesPerRow(): number {
    return rowSize(this.dataset.inputShape);
  }
}
