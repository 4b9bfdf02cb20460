import type * as tf from '@tensorflow/tfjs';
import { encodeTensors, schemaHash, type TensorData, type TensorSpec } from '@shardgrad/codec';
import type { ModelDefinition, OptimizerConfig } from '@shardgrad/models';
import { allSpecs, createOptimizer, readAll, SimdWeightedSum, trainableVariables, writeAll, type ArrayOptimizer, type MeanTarget } from '@shardgrad/trainer';

/**
 * What only the coordinator owns: the weights, the optimizer state and the version counter.
 * The parameters live in plain typed arrays (trainable tensors, then state such as batch-norm
 * statistics): a step is a loop over arrays, never a chain of tfjs ops. The tfjs model is brought
 * up to date lazily, when someone reads `model` (evaluation, export, reports).
 */
export class TrainingState {
  /** Trainable tensors then state tensors: the layout of broadcasts and of every result. */
  readonly specs: TensorSpec[];
  readonly trainableCount: number;
  readonly schemaHash: string;
  readonly optimizer: ArrayOptimizer;
  version = 0;
  /**
   * Where a round's update is written (the mean writes into it, see weightedMean), in the layout of
   * `specs`, and the SIMD kernel that sums into it. Reused every round: the update lives only
   * until `apply` has consumed it.
   */
  readonly updateTarget: MeanTarget;
  /**
   * The learning rate the run was set to (flags, the model's default, the teacher's set-lr): what a
   * schedule and warm-up scale each step. The optimizer's own rate is this step's, already scaled.
   */
  baseLearningRate: number;
  private params: TensorData[];
  private modelVersion = 0;
  private encoded: { version: number; bytes: Uint8Array } | undefined;

  constructor(
    readonly def: ModelDefinition,
    private readonly tfModel: tf.LayersModel,
    optimizerConfig: OptimizerConfig,
    /** update-kernels.wat compiled (loadUpdateKernels), where the engine has SIMD. */
    updateKernels?: WebAssembly.Module,
  ) {
    this.specs = allSpecs(tfModel);
    this.trainableCount = trainableVariables(tfModel).length;
    this.schemaHash = schemaHash(this.specs);
    this.optimizer = createOptimizer(optimizerConfig, { adam: updateKernels });
    this.baseLearningRate = this.optimizer.learningRate;
    this.params = readAll(tfModel);
    this.updateTarget = {
      buffers: this.params.map((t) => new Float32Array(t.data.length)),
      ...(updateKernels && { kernel: new SimdWeightedSum(updateKernels) }),
    };
  }

  /** The tfjs model holding the current weights. */
  get model(): tf.LayersModel {
    if (this.modelVersion !== this.version) {
      writeAll(this.tfModel, this.params);
      this.modelVersion = this.version;
    }
    return this.tfModel;
  }

  /** Values on the wire per broadcast or result (trainable parameters plus state). */
  get parameterCount(): number {
    return this.specs.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Weights of the current version, encoded once and shared by every task of the round. */
  encodedWeights(): Uint8Array {
    if (!this.encoded || this.encoded.version !== this.version) {
      this.encoded = { version: this.version, bytes: encodeTensors(this.params) };
    }
    return this.encoded.bytes;
  }

  /** Frees the tfjs model's tensors: a coordinator kept every run it replaced, model and all. */
  dispose(): void {
    this.tfModel.dispose();
  }

  /** A copy of the current weights (trainable then state). */
  weights(): TensorData[] {
    return this.params.map((t) => ({ shape: [...t.shape], dtype: t.dtype, data: t.data.slice() }));
  }

  setWeights(tensors: readonly TensorData[], version: number): void {
    if (tensors.length !== this.specs.length) throw new Error(`expected ${this.specs.length} tensors, got ${tensors.length}`);
    tensors.forEach((t, i) => {
      if (t.data.length !== this.params[i]!.data.length) throw new Error(`tensor ${i}: expected ${this.params[i]!.data.length} values, got ${t.data.length}`);
    });
    this.params = tensors.map((t) => ({ shape: [...t.shape], dtype: 'float32', data: Float32Array.from(t.data) }));
    this.version = version;
    this.encoded = undefined;
    this.modelVersion = -1;
  }

  /**
   * `means` holds the mean gradients then the mean state, in the layout of `specs`. False when the
   * optimizer refused the step (`optimizer.refusal` says why): the weights and state are unchanged.
   */
  apply(means: readonly Float32Array[], o: { gradientsBounded?: boolean } = {}): boolean {
    const trainable = this.params.slice(0, this.trainableCount).map((t) => t.data as Float32Array);
    const applied = this.optimizer.apply(trainable, means.slice(0, this.trainableCount), o);
    if (applied) for (let i = this.trainableCount; i < this.params.length; i++) (this.params[i]!.data as Float32Array).set(means[i]!);
    this.version++;
    return applied;
  }
}
