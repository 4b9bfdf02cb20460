import * as tf from '@tensorflow/tfjs';
import type { TensorData } from '@shardgrad/codec';
import { endWebgpuStep } from '@shardgrad/backends/webgpu-buffer-pool';
import { type AugmentConfig, type Dataset, augmentBySample, isNoAugment, rowSize, takeRows } from '@shardgrad/data';
import { type ModelDefinition, readModelOptions } from '@shardgrad/models';
import { computeGradients, computeGradientsAsync } from './gradients.ts';
import { writeAll } from './weights.ts';
import { computeCustomStep, computeCustomStepAsync } from './custom-step.ts';
import { type CountedGradients, combinePasses, microBatchSizes } from './micro-batches.ts';
import { seedDropout } from './dropout-seed.ts';
import { withSampleMasks } from './sample-dropout.ts';
import { type RowTensors, rowTensors, splitTensors } from './shard-rows.ts';

/**
 * The worker's side of a round, free of any transport: holds the model and the data,
 * takes weights, and turns sample indices into a gradient. Node processes, worker_threads and
 * browser Web Workers all wrap this same class.
 */
export class ShardComputer {
  /** The run's augmentation (modelConfig.augment); applied here, in the worker, to its own rows. */
  readonly augment: AugmentConfig;
  /** modelConfig.microBatch: most samples per pass (0: the whole shard at once). */
  readonly microBatch: number;

  constructor(
    readonly def: ModelDefinition,
    readonly dataset: Dataset,
    readonly model: tf.LayersModel,
    private readonly modelConfig: Record<string, unknown> = {},
  ) {
    const options = readModelOptions(modelConfig);
    this.augment = options.augment;
    this.microBatch = options.microBatch;
  }

  /** Fixes the model's dropout masks by this seed (undefined: random again), as seedDropout. */
  seedDropout(seed: number | undefined): void {
    seedDropout(this.model, seed);
  }

  /** Trainable weights then state, as the coordinator broadcasts them. */
  setWeights(tensors: readonly TensorData[]): void {
    writeAll(this.model, tensors);
  }

  /**
   * `augmentSeed` (the task's, deriveSeed(runSeed, epoch)) seeds each row's augmentation by its
   * sample index, so a sample gets the same pixels whichever worker computes it. `taskSeed` (the
   * round's, roundSeed(runSeed, round)) seeds a custom step, and each row's dropout masks
   * (sample-dropout.ts); without it dropout draws at random.
   */
  compute(indices: ArrayLike<number>, augmentSeed?: number, taskSeed?: number): CountedGradients {
    if (this.def.customStep) return computeCustomStep(this.def.customStep, this.model, this.dataset, this.modelConfig, indices, taskSeed ?? 0);
    return combinePasses(this.passes(indices).map((part) => {
      const { x, y, n } = this.shardTensors(part, augmentSeed);
      try {
        return { ...withSampleMasks(this.model, taskSeed, part, () => computeGradients(this.model, this.def, x, y)), count: n };
      } finally {
        x.dispose();
        y.dispose();
      }
    }));
  }

  /** compute with asynchronous reads, for the WebGPU backend; same result. */
  async computeAsync(indices: ArrayLike<number>, augmentSeed?: number, taskSeed?: number): Promise<CountedGradients> {
    try {
      return await this.computePassesAsync(indices, augmentSeed, taskSeed);
    } finally {
      // Each shard is a step of the WebGPU buffer pool: sizes no recent shard used are freed.
      endWebgpuStep(tf.backend());
    }
  }

  private async computePassesAsync(indices: ArrayLike<number>, augmentSeed?: number, taskSeed?: number): Promise<CountedGradients> {
    if (this.def.customStep) return computeCustomStepAsync(this.def.customStep, this.model, this.dataset, this.modelConfig, indices, taskSeed ?? 0);
    const passes: CountedGradients[] = [];
    for (const part of this.passes(indices)) {
      const { x, y, n } = this.shardTensors(part, augmentSeed);
      try {
        // The masks are drawn in the forward pass, which runs before computeGradientsAsync's first await.
        passes.push({ ...(await withSampleMasks(this.model, taskSeed, part, () => computeGradientsAsync(this.model, this.def, x, y))), count: n });
      } finally {
        x.dispose();
        y.dispose();
      }
    }
    return combinePasses(passes);
  }

  /**
   * The shard cut into passes of at most microBatch samples: a whole big shard's activations can
   * outgrow the wasm heap (4 GiB), where tfjs's wasm backend corrupts its allocator and hangs (the
   * curriculum CNN at 4,096 samples did).
   */
  private passes(indices: ArrayLike<number>): ArrayLike<number>[] {
    const sizes = microBatchSizes(indices.length, this.microBatch);
    if (sizes.length === 1) return [indices];
    const all = Array.from(indices);
    let off = 0;
    return sizes.map((n) => all.slice(off, (off += n)));
  }

  private shardTensors(indices: ArrayLike<number>, augmentSeed?: number): RowTensors {
    if (isNoAugment(this.augment)) return rowTensors(this.dataset, this.dataset.train, indices);
    if (augmentSeed === undefined) throw new Error('this run augments its images, but the task carries no augmentSeed');
    const rows = takeRows(this.dataset, this.dataset.train, indices);
    return splitTensors(this.dataset, { ...rows, x: augmentBySample(rows.x, this.dataset.inputShape, this.augment, augmentSeed, indices) });
  }

  get samplesPerRow(): number {
    return rowSize(this.dataset.inputShape);
  }
}
