import type { OptimizerName } from '@shardgrad/models';
import type { Coordinator } from './coordinator.ts';
import {
  locateTrainingCheckpoints,
  readTrainingCheckpoint,
  ResumeError,
  stateDigest,
  type TrainingCheckpoint,
  type TrainingPosition,
} from './training-checkpoint.ts';

/** Where a resumed coordinator came from; runTraining starts at `position` and the recorder reopens `runDir`. */
export interface ResumePoint {
  file: string;
  runDir: string;
  position: TrainingPosition;
  /** Digest of the parameters and optimizer state as loaded: equal to the file's own when nothing was lost. */
  stateDigest: string;
  /** Newer checkpoints passed over because they could not be read. */
  skipped?: { file: string; reason: string }[];
}

export interface LoadedCheckpoint {
  checkpoint: TrainingCheckpoint;
  file: string;
  runDir: string;
  /** Newer training states of the run that could not be read (a write cut short, a bad disk), and why. */
  skipped?: { file: string; reason: string }[];
}

/**
 * The checkpoint to go on from. In a run directory a damaged newest state gives way to the one
 * before: a restarted coordinator (deploy/docker/coordinator-entrypoint.sh) would otherwise fail on
 * it at every restart. What was passed over is reported, never silent.
 */
export function loadCheckpointFor(resume: string): LoadedCheckpoint {
  const { files, runDir } = locateTrainingCheckpoints(resume);
  const skipped: { file: string; reason: string }[] = [];
  for (const file of files) {
    try {
      return { checkpoint: readTrainingCheckpoint(file), file, runDir, ...(skipped.length > 0 && { skipped }) };
    } catch (e) {
      if (files.length === 1) throw e instanceof ResumeError ? e : new ResumeError(`--resume ${file}: ${(e as Error).message}`);
      skipped.push({ file, reason: (e as Error).message });
    }
  }
  throw new ResumeError(`--resume ${resume}: no checkpoint in it can be read (${skipped.map((s) => `${s.file}: ${s.reason}`).join('; ')})`);
}

/** The run-defining options come from the checkpoint, so a resume cannot silently train something else. */
export function optionsFromCheckpoint(ck: TrainingCheckpoint): { model: string; dataset: string; seed: number; batch: number; optimizer: OptimizerName } {
  return { model: ck.model, dataset: ck.dataset, seed: ck.seed, batch: ck.batch, optimizer: ck.optimizer.name as OptimizerName };
}

/** What the coordinator's state is now, at a round boundary. */
export function captureCheckpoint(c: Coordinator): TrainingCheckpoint {
  const { state } = c.config;
  return {
    runId: c.runId,
    model: c.config.def.name,
    dataset: c.config.datasetName,
    schemaHash: state.schemaHash,
    batch: c.config.batch,
    seed: c.config.seed,
    version: state.version,
    position: { ...c.position },
    aggregation: c.config.aggregation,
    baseLearningRate: state.baseLearningRate,
    params: state.weights(),
    optimizer: state.optimizer.getState(),
  };
}

/** Puts the checkpoint's weights, optimizer state, run id and position into a freshly built coordinator. */
export function restoreCheckpoint(c: Coordinator, loaded: LoadedCheckpoint): ResumePoint {
  const ck = loaded.checkpoint;
  const { state } = c.config;
  if (ck.schemaHash !== state.schemaHash) {
    throw new ResumeError(`--resume: the checkpoint's model (schema ${ck.schemaHash}) is not this model (schema ${state.schemaHash}); pass the same --model and model options`);
  }
  state.setWeights(ck.params, ck.version);
  state.optimizer.setState(ck.optimizer);
  if (ck.baseLearningRate !== undefined) state.baseLearningRate = ck.baseLearningRate;
  c.runId = ck.runId;
  c.config.batch = ck.batch;
  if (ck.aggregation && !c.config.aggregation) c.config.aggregation = ck.aggregation;
  c.position = { ...ck.position };
  const point: ResumePoint = {
    file: loaded.file,
    runDir: loaded.runDir,
    position: { ...ck.position },
    stateDigest: stateDigest(state.weights(), state.optimizer.getState()),
    ...(loaded.skipped && { skipped: loaded.skipped }),
  };
  c.resumedFrom = point;
  return point;
}
