// A run directory ties together everything one training run leaves behind:
//   runs/<id>/run.json                       what the run is (atomic rewrite)
//            metrics.jsonl                   lossless metrics (append)
//            metrics.csv                     the same, for spreadsheets (append, header grows)
//            events.out.tfevents.<s>.<host>  the same, for TensorBoard (one file per open)
//            checkpoints/step-<n>            written by the trainer
// All three metric sinks get every logMetrics call, so none of them is the "real" one to keep
// in sync later.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHECKPOINTS_DIR, checkpointName, listCheckpoints, type CheckpointEntry } from './checkpoints.ts';
import { EventFileWriter } from './event-writer.ts';
import { SessionStatus } from './event.ts';
import { GrowingCsvFile } from './metrics-csv.ts';
import { JsonlMetricsFile, METRICS_JSONL } from './metrics-jsonl.ts';
import { dropMetricsAfter } from './metrics-rewind.ts';
import {
  assertValidRunId,
  createRunId,
  formatRunInfo,
  readRunInfo,
  RUN_JSON,
  writeRunInfo,
  type RunInfo,
} from './run-info.ts';

export const METRICS_CSV = 'metrics.csv';

// Fixed CSV columns; metric names may not reuse them or a row would be ambiguous.
const CSV_LEADING_COLUMNS = ['step', 'tag', 'wall_time'] as const;
const RESERVED_METRIC_NAMES: ReadonlySet<string> = new Set(CSV_LEADING_COLUMNS);

/** Known tags get autocompletion; any other string is allowed (`'test'`, `'worker-3'`…). */
export type MetricTag = 'train' | 'validation' | (string & {});

export interface RunDirectory<M extends object = Record<string, unknown>> {
  readonly id: string;
  /** Absolute path of the run directory. */
  readonly path: string;
  /** The current run.json contents (a copy; change it through updateMeta). */
  readonly info: RunInfo<M>;
  /** The event file this handle writes; a reopened run writes a new one next to the old. */
  readonly eventFilePath: string;
  /**
   * Appends one row of metrics to metrics.jsonl, metrics.csv and the event file. In TensorBoard
   * each value shows as `<tag>/<name>` (or `<name>` without a tag), so train and validation curves
   * of the same metric land in one file and group together.
   */
  logMetrics(step: number, values: Readonly<Record<string, number>>, tag?: MetricTag): void;
  /** Where the checkpoint for `step` goes (`checkpoints/step-0000000120`); nothing is created. */
  checkpointPath(step: number): string;
  /** The checkpoint with the highest step, if any, for resuming. */
  latestCheckpoint(): CheckpointEntry | undefined;
  /** Shallow-merges `patch` into meta and rewrites run.json atomically. */
  updateMeta(patch: Partial<M>): void;
  /** fsyncs and closes every file; idempotent. Further logging throws. */
  close(): void;
}

/** Test and embedding hooks shared by create and open. */
export interface RunDirectoryHooks {
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** Hostname for the event file name; defaults to os.hostname(). */
  hostname?: string;
}

export interface CreateRunDirectoryOptions<M extends object> extends RunDirectoryHooks {
  /** Parent of all runs; created if missing. */
  root?: string;
  /** Defaults to a sortable timestamp plus random suffix, see createRunId. */
  id?: string;
  /** Hyperparameters, model, data, workers… stored verbatim in run.json under "meta". */
  meta: M;
  /** e.g. { '@tensorflow/tfjs': '4.22.0' }; passed in because a library cannot see the app's. */
  packageVersions?: Record<string, string>;
}

export interface OpenRunDirectoryOptions extends RunDirectoryHooks {
  /**
   * The step training resumes from (the restored checkpoint's). Written as a SessionLog START so
   * TensorBoard discards the steps >= it that the interrupted run logged and this one will redo;
   * also recorded in run.json. The JSONL and CSV keep both copies: they are an audit log.
   */
  resumeStep?: number;
  packageVersions?: Record<string, string>;
}

/** Creates `<root>/<id>/`, writes run.json and opens the metric sinks. Fails if the run exists. */
export function createRunDirectory<M extends object>(options: CreateRunDirectoryOptions<M>): RunDirectory<M> {
  const clock = options.clock ?? Date.now;
  const id = options.id ?? createRunId(new Date(clock()));
  assertValidRunId(id);
  const createdAt = new Date(clock()).toISOString();
  const info: RunInfo<M> = {
    id,
    createdAt,
    updatedAt: createdAt,
    nodeVersion: process.version,
    packageVersions: { ...options.packageVersions },
    meta: options.meta,
  };
  formatRunInfo(info); // fail on unserializable meta before creating anything
  const root = resolve(options.root ?? 'runs');
  const path = join(root, id);
  mkdirSync(root, { recursive: true });
  try {
    mkdirSync(path); // not recursive: an existing run is never silently reused
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`run directory ${path} already exists; use openRunDirectory to resume it`);
    }
    throw err;
  }
  mkdirSync(join(path, CHECKPOINTS_DIR));
  writeRunInfo(path, info);
  return openHandle(path, info, options).run;
}

/**
 * Reopens an existing run for appending (resume). With `resumeStep`, the metrics rows logged after
 * that step go first (they are about to be logged again); TensorBoard gets a SessionLog START there,
 * which tells it to discard its own later events.
 */
export function openRunDirectory<M extends object = Record<string, unknown>>(
  path: string,
  options: OpenRunDirectoryOptions = {},
): RunDirectory<M> {
  const runPath = resolve(path);
  const info = readRunInfo<M>(runPath);
  const clock = options.clock ?? Date.now;
  const at = new Date(clock()).toISOString();
  const resume = {
    at,
    ...(options.resumeStep !== undefined && { step: options.resumeStep }),
    nodeVersion: process.version,
    ...(options.packageVersions && { packageVersions: { ...options.packageVersions } }),
  };
  const updated: RunInfo<M> = { ...info, updatedAt: at, resumes: [...(info.resumes ?? []), resume] };
  mkdirSync(join(runPath, CHECKPOINTS_DIR), { recursive: true });
  if (options.resumeStep !== undefined) {
    dropMetricsAfter(join(runPath, METRICS_JSONL), options.resumeStep, 'jsonl');
    dropMetricsAfter(join(runPath, METRICS_CSV), options.resumeStep, 'csv');
  }
  const handle = openHandle(runPath, updated, options);
  if (options.resumeStep !== undefined) {
    handle.events.writeSessionLog(options.resumeStep, { status: SessionStatus.Start });
  }
  writeRunInfo(runPath, updated);
  return handle.run;
}

// The event writer is returned beside the public handle so openRunDirectory can write the resume
// marker without exposing raw event writing on RunDirectory.
interface OpenedHandle<M extends object> {
  run: RunDirectory<M>;
  events: EventFileWriter;
}

interface Closable {
  close(): void;
}

function closeAll(sinks: readonly Closable[]): void {
  // Close every sink even if one fails, then report the first failure.
  const errors: unknown[] = [];
  for (const sink of sinks) {
    try {
      sink.close();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
}

function openHandle<M extends object>(path: string, initialInfo: RunInfo<M>, hooks: RunDirectoryHooks): OpenedHandle<M> {
  const clock = hooks.clock ?? Date.now;
  let info = initialInfo;
  let closed = false;
  const opened: Closable[] = [];
  let jsonl: JsonlMetricsFile;
  let csv: GrowingCsvFile;
  let events: EventFileWriter;
  try {
    opened.push((jsonl = JsonlMetricsFile.open(join(path, METRICS_JSONL))));
    opened.push((csv = GrowingCsvFile.open(join(path, METRICS_CSV), CSV_LEADING_COLUMNS)));
    opened.push((events = EventFileWriter.create(path, { clock, hostname: hooks.hostname })));
  } catch (err) {
    closeAll(opened); // don't leak fds when, say, the CSV header is unreadable
    throw err;
  }

  const run: RunDirectory<M> = {
    id: info.id,
    path,
    get info() {
      return structuredClone(info);
    },
    eventFilePath: events.path,

    logMetrics(step, values, tag) {
      if (closed) throw new Error(`run ${info.id} is closed`);
      validateMetrics(step, values, tag);
      const wallTime = clock() / 1000;
      jsonl.append({ step, ...(tag !== undefined && { tag }), wallTime, values: { ...values } });
      csv.append({ step, tag, wall_time: wallTime, ...values });
      const prefix = tag === undefined || tag === '' ? '' : `${tag}/`;
      events.writeScalars(
        step,
        Object.entries(values).map(([name, value]) => ({ tag: prefix + name, value })),
        wallTime,
      );
    },

    checkpointPath(step) {
      return join(path, CHECKPOINTS_DIR, checkpointName(step));
    },

    latestCheckpoint() {
      return listCheckpoints(path).at(-1);
    },

    updateMeta(patch) {
      if (closed) throw new Error(`run ${info.id} is closed`);
      const next: RunInfo<M> = {
        ...info,
        updatedAt: new Date(clock()).toISOString(),
        meta: { ...info.meta, ...patch },
      };
      writeRunInfo(path, next); // only adopt the new info once it is safely on disk
      info = next;
    },

    close() {
      if (closed) return;
      closed = true;
      closeAll([jsonl, csv, events]);
    },
  };
  return { run, events };
}

// Everything is checked before the first sink is written, so a bad call logs nothing rather than
// leaving the three files disagreeing.
function validateMetrics(step: number, values: Readonly<Record<string, number>>, tag: string | undefined): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new RangeError(`step must be a non-negative safe integer, got ${step}`);
  }
  if (tag !== undefined && /[\r\n]/.test(tag)) throw new Error(`tag must not contain a line break`);
  for (const [name, value] of Object.entries(values)) {
    if (name === '') throw new Error('metric name must not be empty');
    if (/[\r\n]/.test(name)) throw new Error(`metric name ${JSON.stringify(name)} contains a line break`);
    if (RESERVED_METRIC_NAMES.has(name)) {
      throw new Error(`metric name "${name}" is reserved (a CSV column); rename it`);
    }
    if (typeof value !== 'number') throw new TypeError(`metric ${name} is not a number: ${String(value)}`);
  }
}

/** True when `path` looks like a run directory (has run.json). */
export function isRunDirectory(path: string): boolean {
  return existsSync(join(path, RUN_JSON));
}
