import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isRunDirectory, listCheckpoints } from '@shardgrad/runlog';
import { MODEL_DIR } from '@shardgrad/coordinator';
import { UsageError } from './output.ts';

export interface ModelSource {
  /** A directory with model.json (tfjs layers format) and shardgrad.json. */
  dir: string;
  runId?: string;
  /** The checkpoint's step, when the source is a checkpoint. */
  step?: number;
}

const isModelDir = (dir: string) => existsSync(join(dir, 'model.json'));

/**
 * Finds the saved model a user means: a model directory, a checkpoint, a run directory (its final
 * model, or the checkpoint of `step`, or its latest checkpoint when the run never finished), a run
 * id under `runsDir`, or nothing at all (the newest run).
 */
export function resolveModelSource(source: string | undefined, opts: { runsDir?: string; step?: number | 'latest' } = {}): ModelSource {
  const runsDir = opts.runsDir ?? 'runs';
  let path = source ?? newestRun(runsDir);
  if (!existsSync(path) && existsSync(join(runsDir, path))) path = join(runsDir, path);
  if (!existsSync(path)) throw new UsageError(`no model at ${path}: give a run directory, a run id under ${runsDir}/, a checkpoint or a model directory`);
  if (!isRunDirectory(path)) {
    if (opts.step !== undefined) throw new UsageError(`--step needs a run directory; ${path} is not one`);
    if (!isModelDir(path)) throw new UsageError(`${path} holds no model.json: not a model directory, a checkpoint or a run`);
    return { dir: path };
  }
  const runId = basename(resolve(path));
  const checkpoints = listCheckpoints(path).filter((c) => isModelDir(c.path));
  if (opts.step === undefined && isModelDir(join(path, MODEL_DIR))) return { dir: join(path, MODEL_DIR), runId };
  const wanted = opts.step === undefined || opts.step === 'latest' ? checkpoints.at(-1) : checkpoints.find((c) => c.step === opts.step);
  if (!wanted) {
    const have = checkpoints.map((c) => c.step).join(', ') || 'none';
    throw new UsageError(opts.step === undefined || opts.step === 'latest' ? `run ${runId} has no final model and no checkpoint yet` : `run ${runId} has no checkpoint at step ${opts.step} (it has: ${have})`);
  }
  return { dir: wanted.path, runId, step: wanted.step };
}

function newestRun(runsDir: string): string {
  const runs = existsSync(runsDir)
    ? readdirSync(runsDir)
        .map((n) => join(runsDir, n))
        .filter((p) => statSync(p).isDirectory() && isRunDirectory(p))
        .sort()
    : [];
  if (runs.length === 0) throw new UsageError(`no runs in ${runsDir}/ yet: train one (npx shardgrad train) or name a model directory`);
  return runs.at(-1)!;
}
