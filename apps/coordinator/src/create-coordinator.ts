import { loadDataset } from '@shardgrad/data/node';
import { ModelConfigError, datasetMismatch, getModel, runModelConfig, type OptimizerName } from '@shardgrad/models';
import { TrainingOptionsError } from './training-policy.ts';
import { useSimdSumOfSquares } from '@shardgrad/trainer';
import { loadUpdateKernels } from '@shardgrad/trainer/load-update-kernels.node';
import { Coordinator, type CoordinatorConfig } from './coordinator.ts';
import { TrainingState } from './training-state.ts';
import { serveJoinPage } from './join-page.ts';
import { resolveAggregation } from './aggregation.ts';
import { SHARE_SPLITS, type ShareSplit } from './round.ts';
import { withAutoMicroBatch } from './micro-batch.ts';
import { loadCheckpointFor, optionsFromCheckpoint, restoreCheckpoint } from './resume.ts';

export interface CoordinatorOptions {
  model: string;
  dataset?: string;
  datasetOptions?: Record<string, unknown>;
  modelConfig?: Record<string, unknown>;
  batch?: number;
  /** The most the global batch may grow to during the run (`--adaptive-batch`): passes are sized for it. */
  largestBatch?: number;
  seed?: number;
  optimizer?: OptimizerName;
  learningRate?: number;
  host?: string;
  port?: number;
  /** `--aggregator`: mean (default), trimmed-mean, median, centered-clip or norm-filter. */
  aggregator?: string;
  /** `--byzantine`: results per round that may be wrong on purpose (default 0 for the mean, 1 otherwise). */
  byzantine?: number;
  /** `--trim`: the trimmed mean's β. */
  trim?: number;
  /** `--split`: speed (default) or equal shares. */
  split?: ShareSplit;
  /** `--resume`: a run directory, checkpoint directory or training-state file to go on from. */
  resume?: string;
  /** `--metrics-token`: `GET /metrics` answers only with `Authorization: Bearer <it>` (default: open, like /api/status). */
  metricsToken?: string;
}

/** Loads the data, builds the model and its optimizer state, and opens the socket server. */
export async function createCoordinator(opts: CoordinatorOptions): Promise<Coordinator> {
  const resume = opts.resume ? loadCheckpointFor(opts.resume) : undefined;
  const c = new Coordinator(await prepareRun(resume ? { ...opts, ...optionsFromCheckpoint(resume.checkpoint) } : opts));
  if (resume) restoreCheckpoint(c, resume);
  serveJoinPage(c);
  // Before listening: the metrics are never open for a moment when they should not be.
  if (opts.metricsToken !== undefined) c.metrics.requireToken(opts.metricsToken);
  await c.listen();
  return c;
}

/** Everything a run needs before it can start: data, model, optimizer state (also for a new run on a live server). */
export async function prepareRun(opts: CoordinatorOptions): Promise<CoordinatorConfig> {
  const def = getModel(opts.model);
  const datasetName = opts.dataset ?? def.defaultDataset;
  const mismatch = datasetMismatch(def, datasetName);
  if (mismatch) throw new ModelConfigError(mismatch);
  const batch = opts.batch ?? def.defaults.batch;
  if (!Number.isInteger(batch) || batch < 1) throw new TrainingOptionsError(`batch must be a positive integer, got ${batch}`);
  const dataset = await loadDataset(datasetName, opts.datasetOptions);
  const seed = opts.seed ?? 1;
  // The model's defaults under the user's options, checked; `normalize` becomes the training
  // statistics, and a batch too big for one pass gets passes of a size that fits.
  const modelConfig = await withAutoMicroBatch(def, dataset, runModelConfig(def, opts.modelConfig ?? {}, dataset), Math.max(batch, opts.largestBatch ?? 0));
  const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed, config: modelConfig });
  const updateKernels = await loadUpdateKernels();
  // Every result's check and every round's noise scale take a Σ g² of all the parameters.
  useSimdSumOfSquares(updateKernels);
  const state = new TrainingState(def, model, {
    ...def.optimizer,
    name: opts.optimizer ?? def.optimizer.name,
    learningRate: opts.learningRate ?? def.optimizer.learningRate,
  }, updateKernels);
  return {
    def,
    dataset,
    datasetName,
    datasetOptions: opts.datasetOptions,
    modelConfig,
    state,
    batch,
    seed,
    ...(opts.aggregator !== undefined || opts.byzantine !== undefined
      ? { aggregation: resolveAggregation(opts.aggregator, { f: opts.byzantine, ...(opts.trim !== undefined && { beta: opts.trim }) }) }
      : {}),
    ...(opts.split !== undefined && { split: checkSplit(opts.split) }),
    host: opts.host,
    port: opts.port,
  };
}

function checkSplit(split: string): ShareSplit {
  if (!(SHARE_SPLITS as readonly string[]).includes(split)) throw new Error(`unknown split "${split}"; choose one of: ${SHARE_SPLITS.join(', ')}`);
  return split as ShareSplit;
}
