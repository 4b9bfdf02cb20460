import type { OptimizerName } from '@shardgrad/models';
import type { Coordinator } from './coordinator.ts';
import { locateStateFiles } from './checkpoint-location.ts';
import { checkBelongsToRun } from './checkpoint-origin.ts';
import { readTrainingCheckpoint, ResumeError, stateDigest, type TrainingCheckpoint, type TrainingPosition } from './training-checkpoint.ts';

export { locateTrainingCheckpoint } from './checkpoint-location.ts';

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
 * it at every restart. What was passed over is reported, never silent. A state that reads fine but
 * is another run's (or sits in another step's folder) is refused, not passed over: that is a mistake
 * to fix, not damage. All of it is checked here, before the run directory is reopened.
 */
export function loadCheckpointFor(resume: string): LoadedCheckpoint {
  const { files, runDir } = locateStateFiles(resume);
  const skipped: { file: string; reason: string }[] = [];
  for (const state of files) {
    let checkpoint: TrainingCheckpoint;
    try {
      checkpoint = readTrainingCheckpoint(state.file);
    } catch (e) {
      const reason = (e as Error).message;
      if (files.length === 1) throw new ResumeError(`--resume ${resume}: ${state.file === resume ? '' : `${state.file}: `}${reason}`);
      skipped.push({ file: state.file, reason });
      continue;
    }
    checkBelongsToRun(checkpoint, state, runDir);
    return { checkpoint, file: state.file, runDir, ...(skipped.length > 0 && { skipped }) };
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
    throw new ResumeError(`--resume ${loaded.file}: the checkpoint's model (schema ${ck.schemaHash}) is not this model (schema ${state.schemaHash}); pass the same --model and model options`);
  }
  const n = c.config.dataset.train.n;
  if (ck.position.offset > n) throw new ResumeError(`--resume ${loaded.file}: position offset ${ck.position.offset} is beyond the ${n} training samples`);
  try {
    state.setWeights(ck.params, ck.version);
    state.optimizer.setState(ck.optimizer);
  } catch (e) {
    throw new ResumeError(`--resume ${loaded.file}: its state does not fit the model: ${(e as Error).message}`);
  }
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
