import * as tf from '@tensorflow/tfjs';
import { encodeTensors, schemaHash, type TensorData, type TensorSpec } from '@shardgrad/codec';
import type { ModelDefinition, OptimizerConfig } from '@shardgrad/models';
import { applyGradients, createOptimizer, readTrainable, trainableSpecs, writeTrainable } from '@shardgrad/trainer';

/**
 * What only the coordinator owns: the weights, the optimizer state and the version counter.
 * Each applied step bumps the version; workers compute gradients at an exact version.
 */
export class TrainingState {
  readonly specs: TensorSpec[];
  readonly schemaHash: string;
  readonly optimizer: tf.Optimizer;
  version = 0;
  private encoded: { version: number; bytes: Uint8Array } | undefined;

  constructor(
    readonly def: ModelDefinition,
    readonly model: tf.LayersModel,
    optimizerConfig: OptimizerConfig,
  ) {
    this.specs = trainableSpecs(model);
    this.schemaHash = schemaHash(this.specs);
    this.optimizer = createOptimizer(optimizerConfig);
  }

  get parameterCount(): number {
    return this.specs.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Weights of the current version, encoded once and shared by every task of the round. */
  encodedWeights(): Uint8Array {
    if (!this.encoded || this.encoded.version !== this.version) {
      this.encoded = { version: this.version, bytes: encodeTensors(readTrainable(this.model)) };
    }
    return this.encoded.bytes;
  }

  weights(): TensorData[] {
    return readTrainable(this.model);
  }

  setWeights(tensors: readonly TensorData[], version: number): void {
    writeTrainable(this.model, tensors);
    this.version = version;
  }

  apply(grads: readonly Float32Array[]): void {
    applyGradients(this.optimizer, this.model, grads);
    this.version++;
  }
}
