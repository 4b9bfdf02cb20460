import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '@shardgrad/data';

export type OptimizerName = 'sgd' | 'momentum' | 'rmsprop' | 'adam';

export interface OptimizerConfig {
  name: OptimizerName;
  learningRate: number;
}

/** Scalar loss from labels and predictions; must be the batch *mean* so shard means weight exactly. */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
/** Per-batch metric as a mean over samples, so shard values combine by shard-weighted mean too. */
export type MetricFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

export interface BuildContext {
  inputShape: number[];
  numClasses: number;
  /** Seeds the initialisers, so a run is reproducible from its config. */
  seed: number;
  config: Record<string, unknown>;
}

/** A supervised model of the library: what to build, on which data, with which loss. */
export interface ModelDefinition {
  name: string;
  summary: string;
  /** The course idea it teaches, shown by `shardgrad models`. */
  teaches: string;
  defaultDataset: string;
  datasets: string[];
  build(ctx: BuildContext): tf.LayersModel;
  loss: LossFn;
  metrics: Record<string, MetricFn>;
  optimizer: OptimizerConfig;
  defaults: { batch: number; epochs: number };
  /** Model-specific options accepted in `modelConfig`, with their meaning. */
  options?: Record<string, string>;
  /**
   * Figures that are not per-batch means (F1, RMSE in real units, a baseline to beat), computed once
   * on the held-out split after training. Printed in the run summary.
   */
  report?(ctx: ModelContext): Record<string, number | string>;
  /** Files a person looks at after a run (images, projector TSVs); the CLI writes them to the run directory. */
  artifacts?(ctx: ModelContext): Artifact[];
}

/** The trained model with the data and config it was built for. */
export interface ModelContext {
  model: tf.LayersModel;
  dataset: Dataset;
  config: Record<string, unknown>;
}

/** 8-bit RGBA pixels, row-major; encoded to a file by the app that writes it. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** One output file of a model, as data: compute libs never touch the file system. */
export type Artifact = { file: string; description: string } & ({ kind: 'text'; text: string } | { kind: 'image'; image: RgbaImage });
