import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CHECKPOINTS_DIR, isRunDirectory } from '@shardgrad/runlog';
import { MODEL_DIR } from '@shardgrad/coordinator';
import { UsageError } from './output.ts';

/**
 * Where `export --out` may write. Writing replaces model.json, weights.bin and shardgrad.json in
 * place: into a folder that holds something, or into a run's own model/ or checkpoints/ (a final
 * model, a checkpoint beside its training state), it silently replaced what training left. Both
 * need --force; a file in the way is refused even then.
 */
export function checkExportTarget(out: string, force: boolean): void {
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file; give a folder to write the model into`);
  const above = nearestExisting(resolve(out));
  if (!statSync(above).isDirectory()) throw new UsageError(`--out ${out} lies under ${above}, which is a file; give a folder to write the model into`);
  if (force) return;
  const inRun = runAreaOf(realTarget(out));
  if (inRun) {
    throw new UsageError(
      `--out ${out} is inside the ${inRun.area}/ folder of run ${inRun.runDir}, where training keeps its own models; ` +
        'export somewhere else, or add --force to write there anyway',
    );
  }
  const entries = existsSync(out) ? readdirSync(out).sort() : [];
  if (entries.length > 0) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
    throw new UsageError(`--out ${out} is not empty (${shown}); give a new or empty folder, or add --force to overwrite the model files in it`);
  }
}

/** The path with symbolic links resolved as far as it exists, so a link into a run is seen for what it is. */
function realTarget(path: string): string {
  const full = resolve(path);
  const existing = nearestExisting(full);
  return join(realpathSync(existing), full.slice(existing.length));
}

/** `path` itself, or the nearest folder above it that exists. */
function nearestExisting(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  return existing;
}

function runAreaOf(path: string): { runDir: string; area: string } | undefined {
  for (let p = path; dirname(p) !== p; p = dirname(p)) {
    const area = basename(p);
    if ((area === MODEL_DIR || area === CHECKPOINTS_DIR) && isRunDirectory(dirname(p))) return { runDir: dirname(p), area };
  }
  return undefined;
}
