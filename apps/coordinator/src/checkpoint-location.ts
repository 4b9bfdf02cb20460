import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CHECKPOINTS_DIR, isRunDirectory, listCheckpoints } from '@shardgrad/runlog';
import { ResumeError } from './resume-error.ts';
import { TRAINING_STATE_FILE } from './training-checkpoint.ts';

/** A training state and the step its checkpoint folder is named for. */
export interface StateFile {
  file: string;
  folderStep: number;
}

// As runlog's listCheckpoints reads checkpoint names.
const CHECKPOINT_NAME = /^step-(\d+)(?:\..*)?$/;

/**
 * The training states behind `--resume <path>`, the one to use first: a state file, a checkpoint
 * directory, or a run directory (its checkpoints that have one, newest first, so a damaged newest
 * one can give way to the one before). A state is resumed inside its own run, which is reopened and
 * written to: one outside `<run>/checkpoints/step-N/` is refused here, naming what the user gave.
 */
export function locateStateFiles(path: string): { files: StateFile[]; runDir: string } {
  if (!existsSync(path)) throw new ResumeError(`--resume ${path}: no such file or directory`);
  if (statSync(path).isFile()) return inRun(path, path);
  if (existsSync(join(path, TRAINING_STATE_FILE))) return inRun(path, join(path, TRAINING_STATE_FILE));
  if (!isRunDirectory(path)) {
    throw new ResumeError(`--resume ${path}: neither a run directory (no run.json) nor a checkpoint (no ${TRAINING_STATE_FILE})`);
  }
  const files = listCheckpoints(path)
    .reverse()
    .map((c) => ({ file: join(c.path, TRAINING_STATE_FILE), folderStep: c.step }))
    .filter((f) => existsSync(f.file));
  if (files.length === 0) throw new ResumeError(`--resume ${path}: no checkpoint with a training state in it (write them with --checkpoint-every)`);
  return { files, runDir: path };
}

function inRun(given: string, file: string): { files: StateFile[]; runDir: string } {
  const folder = dirname(file);
  const checkpoints = dirname(folder);
  const runDir = dirname(checkpoints);
  const step = CHECKPOINT_NAME.exec(basename(folder));
  if (!step || basename(checkpoints) !== CHECKPOINTS_DIR || !isRunDirectory(runDir)) {
    throw new ResumeError(
      `--resume ${given}: not a checkpoint inside a run directory; a training state is resumed in the run it belongs to, ` +
        `from <run>/${CHECKPOINTS_DIR}/step-<n>/${TRAINING_STATE_FILE} (or give the run directory)`,
    );
  }
  return { files: [{ file, folderStep: Number(step[1]) }], runDir };
}

/** The training state `--resume <path>` goes on from (see locateStateFiles). */
export function locateTrainingCheckpoint(path: string): { file: string; runDir: string } {
  const { files, runDir } = locateStateFiles(path);
  return { file: files[0]!.file, runDir };
}
