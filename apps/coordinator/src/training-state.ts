import * as tf from '@tensorflow/tfjs';
import { encodeTensors, schemaHash, type TensorData, type TensorSpec } from '@shardgrad/codec';
import type { ModelDefinition, OptimizerConfig } from '@shardgrad/models';
import { allSpecs, applyGradients, createOptimizer, readAll, stateVariables, trainableVariables, writeAll, writeVariables } from '@shardgrad/trainer';

/**
 * What only the coordinator owns: the weights, the optimizer state and the version counter.
 * Each applied step bumps the version; workers compute gradients at an exact version.
 */
export class TrainingState {
  /** Trainable tensors then state tensors: the layout of broadcasts and of every result. */
  readonly specs: TensorSpec[];
  readonly trainableCount: number;
  readonly schemaHash: string;
  readonly optimizer: tf.Optimizer;
  version = 0;
  private encoded: { version: number; bytes: Uint8Array } | undefined;

  constructor(
    readonly def: ModelDefinition,
    readonly model: tf.LayersModel,
    optimizerConfig: OptimizerConfig,
  ) {
    this.specs = allSpecs(model);
    this.trainableCount = trainableVariables(model).length;
    this.schemaHash = schemaHash(this.specs);
    this.optimizer = createOptimizer(optimizerConfig);
  }

  /** Values on the wire per broadcast or result (trainable parameters plus state). */
  get parameterCount(): number {
    return this.specs.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Weights of the current version, encoded once and shared by every task of the round. */
  encodedWeights(): Uint8Array {
    if (!this.encoded || this.encoded.version !== this.version) {
      this.encoded = { version: this.version, bytes: encodeTensors(readAll(this.model)) };
    }
    return this.encoded.bytes;
  }

  weights(): TensorData[] {
    return readAll(this.model);
  }

  setWeights(tensors: readonly TensorData[], version: number): void {
    writeAll(this.model, tensors);
    this.version = version;
  }

  /** `means` holds the mean gradients then the mean state, in the layout of `specs`. */
  apply(means: readonly Float32Array[]): void {
    applyGradients(this.optimizer, this.model, means.slice(0, this.trainableCount));
    const state = means.slice(this.trainableCount);
    if (state.length > 0) {
      const vars = stateVariables(this.model);
      writeVariables(vars, state.map((data, i) => ({ shape: [...vars[i]!.shape], dtype: 'float32' as const, data })));
    }
    this.version++;
  }
}
