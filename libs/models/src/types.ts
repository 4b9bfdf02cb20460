import type * as tf from '@tensorflow/tfjs';
import type { CommonOptionName } from './model-options.ts';
import type { Dataset } from '@shardgrad/data';
import type { Reads } from './step-reads.ts';

/** The optimizers the coordinator runs (libs/trainer/src/optimizers), as flags and checkpoints name them. */
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerConfig {
  name: OptimizerName;
  learningRate: number;
  /** Adam's first-moment decay when not tfjs's 0.9 (DCGAN uses 0.5). */
  beta1?: number;
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
  defaults: {
    batch: number;
    epochs: number;
    /** Epochs on datasets other than the default one, where one epoch holds more or fewer samples. */
    epochsByDataset?: Record<string, number>;
    /** modelConfig under the user's (e.g. the CNN's dropout and augmentation); the user's keys win. */
    config?: Record<string, unknown>;
    /** Training policy defaults (learning-rate schedule, early stopping); the user's flags win. */
    training?: TrainingDefaults;
  };
  /** Model-specific options accepted in `modelConfig`, with their meaning. */
  options?: Record<string, string>;
  /**
   * Checks its own options against the loaded data (char-rnn's prime against the vocabulary).
   * runModelConfig calls it before the model is built, so a bad value stops the run before it starts;
   * options that need no data are checked by `build`, which runs just after.
   */
  checkOptionsWithData?(config: Record<string, unknown>, dataset: Dataset): void;
  /** Common options (model-options.ts) its builder honours; others are refused. Augmentation needs none. */
  commonOptions?: readonly CommonOptionName[];
  /** Set when `train` runs several phases (pre-train, fine-tune, baseline) instead of one run. */
  pipeline?: TrainingPipeline;
  /**
   * Figures that are not per-batch means (F1, RMSE in real units, a baseline to beat), computed once
   * on the held-out split after training. Printed in the run summary.
   */
  report?(ctx: ModelContext): Record<string, number | string>;
  /**
   * For models whose unit of work is not "labelled rows → mean loss" (GAN D/G pairs, RL episodes,
   * negative sampling): the worker calls this instead of the supervised step.
   */
  customStep?: CustomStep;
  /** Files a person looks at after a run (images, projector TSVs); the CLI writes them to the run directory. */
  artifacts?(ctx: ModelContext): Artifact[];
  /** A curve the CLI draws from the run's periodic evaluations (`--eval-every`): RL's mean return by step. */
  learningCurve?: LearningCurveSpec;
  /**
   * Pictures taken while it trains (a GAN's sample grid): every `every(config)` rounds the CLI writes
   * `make`'s files to the run directory, so a run keeps its history, not only its end.
   */
  snapshots?: { every(config: Record<string, unknown>): number; make(ctx: ModelContext, step: number): Artifact[] };
}

export interface LearningCurveSpec {
  /** The evaluation metric plotted (from `customStep.evaluate` or `metrics`). */
  metric: string;
  /** Title: what the metric is, measured on what. */
  label: string;
  /** A figure of `report` drawn as a reference line (the random policy's return). */
  baselineFigure?: string;
  /** The same quantity on a training round, from the round's metrics (drawn lighter, smoothed). */
  fromRound?(metrics: Record<string, number>): number;
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

export interface TrainingDefaults {
  /** `constant`, `step:<epochs>:<gamma>`, `cosine` or `exponential:<rate per epoch>`. */
  lrSchedule?: string;
  /** Steps of linear learning-rate warm-up. */
  warmupSteps?: number;
  /** Fraction of the training split held out for validation. */
  validationSplit?: number;
  /** Stop after this many evaluations without improvement of the validation loss. */
  earlyStoppingPatience?: number;
  restoreBest?: boolean;
}

/** One run of a pipeline: its model trains through the cluster like any other run. */
export interface PipelinePhase {
  name: string;
  /** What the phase shows, for the report. */
  description: string;
  datasetOptions?: Record<string, unknown>;
  modelConfig?: Record<string, unknown>;
  epochs?: number;
  batch?: number;
  learningRate?: number;
  training?: TrainingDefaults;
  /** Start from an earlier phase's final weights for the layers whose names start with `layerPrefix`. */
  initFrom?: { phase: string; layerPrefix: string };
}

export interface TrainingPipeline {
  phases: PipelinePhase[];
  /** Figures that compare phases, from each phase's test metrics (e.g. the transfer gain). */
  compare?(testMetrics: Record<string, Record<string, number>>): Record<string, number>;
}

/** What a custom step gets on the worker for one shard of one round. */
export interface CustomStepContext {
  model: tf.LayersModel;
  dataset: Dataset;
  config: Record<string, unknown>;
  /** The shard's indices: dataset rows, episode numbers, … — whatever the model's unit counts. */
  indices: ArrayLike<number>;
  /**
   * One per round (run seed, round). Derive each item's randomness from (seed, its index) so the
   * result does not depend on how the round's indices were split among workers and threads.
   */
  seed: number;
}

export interface CustomStepResult {
  /** Gradient of the unit's MEAN loss, one tensor per trainable weight in position order; the caller disposes them. */
  grads: tf.Tensor[];
  /** Weight of this result in the round's mean: samples, timesteps, tokens. */
  count: number;
  loss: number;
  metrics: Record<string, number>;
}

export interface CustomStep {
  /**
   * Yields each tensor it reads back (step-reads.ts), so one step serves the synchronous reads of
   * wasm and cpu and the asynchronous ones of WebGPU.
   */
  compute(ctx: CustomStepContext): Reads<CustomStepResult>;
  /** False when `count` is not the number of indices (episodes counted by timesteps). */
  countIsIndices: boolean;
  /** Replaces the supervised evaluation on the test split. */
  evaluate?(ctx: ModelContext): { loss: number; metrics: Record<string, number> };
}

/** The default number of epochs of `def` on `dataset`. */
export function defaultEpochs(def: Pick<ModelDefinition, 'defaults'>, dataset: string): number {
  return def.defaults.epochsByDataset?.[dataset] ?? def.defaults.epochs;
}
