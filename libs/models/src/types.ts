import type * as tf from '@tensorflow/tfjs';

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
}
