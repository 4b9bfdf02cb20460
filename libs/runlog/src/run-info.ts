// run.json: everything needed to know what a run was (and to reproduce or resume it), kept apart
// from the metrics so it can be rewritten atomically while metrics are only ever appended.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomicSync } from './atomic-write.ts';

export const RUN_JSON = 'run.json';

/** One reopen of the run, so the provenance of a resumed run's metrics stays visible. */
export interface RunResume {
  at: string;
  /** The step training resumed from, when the caller said. */
  step?: number;
  nodeVersion: string;
  packageVersions?: Record<string, string>;
}

/**
 * The contents of run.json. `meta` is the caller's object (hyperparameters, model, data, workers…)
 * kept under its own key, so nothing it contains can collide with the fields the library owns.
 */
export interface RunInfo<M extends object = Record<string, unknown>> {
  id: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
  /** process.version of the process that created the run. */
  nodeVersion: string;
  /** Whatever versions the caller passed (tfjs, shardgrad…); the library cannot know them. */
  packageVersions: Record<string, string>;
  resumes?: RunResume[];
  meta: M;
}

/**
 * A run id that sorts lexically in creation order: compact UTC timestamp with milliseconds, then
 * a short random suffix so runs started in the same millisecond (a sweep) do not collide.
 */
export function createRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2025-01-02T03:04:05.678Z
  const stamp = iso.replace(/[-:]/g, ''); // 20250102T030405.678Z
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

// A run id becomes a directory name: no separators, no '.'/'..', nothing a shell needs quoted.
const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function assertValidRunId(id: string): void {
  if (!RUN_ID_PATTERN.test(id)) {
    throw new Error(`invalid run id ${JSON.stringify(id)}: use letters, digits, '.', '_' or '-' (max 128)`);
  }
}

/** Serializes run.json; throws before anything touches disk if `info` is not JSON-able. */
export function formatRunInfo(info: RunInfo<object>): string {
  return JSON.stringify(info, null, 2) + '\n';
}

export function writeRunInfo(runPath: string, info: RunInfo<object>): void {
  writeFileAtomicSync(join(runPath, RUN_JSON), formatRunInfo(info));
}

/** Reads run.json of the run at `runPath`, with an error that says which run is broken. */
export function readRunInfo<M extends object = Record<string, unknown>>(runPath: string): RunInfo<M> {
  const file = join(runPath, RUN_JSON);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${runPath} is not a run directory (no ${RUN_JSON})`);
    }
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
  }
  const info = parsed as Partial<RunInfo<M>> | null;
  if (typeof info !== 'object' || info === null || typeof info.id !== 'string' || typeof info.meta !== 'object') {
    throw new Error(`${file}: not a run.json (needs "id" and "meta")`);
  }
  return info as RunInfo<M>;
}
