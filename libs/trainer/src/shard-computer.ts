import * as tf from '@tensorflow/tfjs';
import type { TensorData } from '@shardgrad/codec';
import { type AugmentConfig, type Dataset, augmentBySample, isNoAugment, rowSize, takeRows } from '@shardgrad/data';
import { type ModelDefinition, readModelOptions } from '@shardgrad/models';
import { computeGradients, computeGradientsAsync, type ShardGradients } from './gradients.ts';
import { writeAll } from './weights.ts';
import { computeCustomStep } from './custom-step.ts';

/**
 * The worker's side of a round, free of any transport: holds the model and the data,
 * takes weights, and turns sample indices into a gradient. Node processes, worker_threads and
 * browser Web Workers all wrap this same class.
 */
export class ShardComputer {
  /** The run's augmentation (modelConfig.augment); applied here, in the worker, to its own rows. */
  readonly augment: AugmentConfig;

  constructor(
    readonly def: ModelDefinition,
    readonly dataset: Dataset,
    readonly model: tf.LayersModel,
    private readonly modelConfig: Record<string, unknown> = {},
  ) {
    this.augment = readModelOptions(modelConfig).augment;
  }

  /** Trainable weights then state, as the coordinator broadcasts them. */
  setWeights(tensors: readonly TensorData[]): void {
    writeAll(this.model, tensors);
  }

  /**
   * `augmentSeed` (the task's, deriveSeed(runSeed, epoch)) seeds each row's augmentation by its
   * sample index, so a sample gets the same pixels whichever worker computes it.
   */
  compute(indices: ArrayLike<number>, augmentSeed?: number, taskSeed = 0): ShardGradients & { count: number } {
    if (this.def.customStep) return computeCustomStep(this.def.customStep, this.model, this.dataset, this.modelConfig, indices, taskSeed);
    const { x, y, n } = this.shardTensors(indices, augmentSeed);
    try {
      return { ...computeGradients(this.model, this.def, x, y), count: n };
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  /** compute with asynchronous reads, for the WebGPU backend; same result. */
  async computeAsync(indices: ArrayLike<number>, augmentSeed?: number): Promise<ShardGradients & { count: number }> {
    const { x, y, n } = this.shardTensors(indices, augmentSeed);
    try {
      return { ...(await computeGradientsAsync(this.model, this.def, x, y)), count: n };
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  private shardTensors(indices: ArrayLike<number>, augmentSeed?: number): { x: tf.Tensor; y: tf.Tensor; n: number } {
    const rows = takeRows(this.dataset, this.dataset.train, indices);
    if (!isNoAugment(this.augment)) {
      if (augmentSeed === undefined) throw new Error('this run augments its images, but the task carries no augmentSeed');
      rows.x = augmentBySample(rows.x, this.dataset.inputShape, this.augment, augmentSeed, indices);
    }
    const x = tf.tensor(rows.x, [rows.n, ...this.dataset.inputShape]);
    const y = tf.tensor(rows.y, [rows.n, this.dataset.labelSize]);
    return { x, y, n: rows.n };
  }

  get samplesPerRow(): number {
    return rowSize(this.dataset.inputShape);
  }
}
