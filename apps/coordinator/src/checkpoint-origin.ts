import { readRunInfo } from '@shardgrad/runlog';
import type { StateFile } from './checkpoint-location.ts';
import { ResumeError } from './resume-error.ts';
import type { TrainingCheckpoint } from './training-checkpoint.ts';

/** What run.json says the run trains; older runs may lack any of it. */
interface RunSays {
  model?: { name?: unknown; schemaHash?: unknown };
  data?: { name?: unknown };
}

/**
 * A resume reopens the run directory the checkpoint sits in, drops its metrics after the checkpoint's
 * step and writes its final model there. A checkpoint copied in from another run, another model or
 * another step folder would do all that to the wrong run, so it must be this run's, at its folder's step.
 */
export function checkBelongsToRun(ck: TrainingCheckpoint, state: StateFile, runDir: string): void {
  let info: { id: string; meta: RunSays };
  try {
    info = readRunInfo<RunSays>(runDir);
  } catch (e) {
    throw new ResumeError(`--resume: the run ${runDir} cannot be reopened: ${(e as Error).message}`);
  }
  const run = info.meta ?? {};
  const differences = [
    ck.runId !== info.id && `run id ${ck.runId}, the run's is ${info.id}`,
    typeof run.model?.name === 'string' && ck.model !== run.model.name && `model ${ck.model}, the run's is ${run.model.name}`,
    typeof run.model?.schemaHash === 'string' && ck.schemaHash !== run.model.schemaHash && `model schema ${ck.schemaHash}, the run's is ${run.model.schemaHash}`,
    typeof run.data?.name === 'string' && ck.dataset !== run.data.name && `dataset ${ck.dataset}, the run's is ${run.data.name}`,
    ck.position.step !== state.folderStep && `step ${ck.position.step}, its folder's is ${state.folderStep}`,
  ].filter((d): d is string => typeof d === 'string');
  if (differences.length > 0) {
    throw new ResumeError(
      `--resume: ${state.file} is not this run's checkpoint (${differences.join('; ')}); nothing was changed. ` +
        `Move it back where it came from, or resume the run it belongs to`,
    );
  }
}
