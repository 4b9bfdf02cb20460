import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { CoordinatorEvent } from '@shardgrad/coordinator';
import { checkModelConfig, datasetMismatch, getModel } from '@shardgrad/models';
import { loadDataset } from '@shardgrad/data/node';
import { SweepConfigError, checkSweep, sweepPoints, type SweepGrid, type SweepPoint, type SweepSettings } from './sweep-config.ts';
import { SweepStore } from './sweep-store.ts';
import { abortSignalName, runPoint, SweepInterrupted } from './point-runner.ts';
import type { PointResult } from './point-result.ts';
import { writeSweepOutputs } from './sweep-outputs.ts';

export interface SweepOptions {
  settings: SweepSettings;
  grid: SweepGrid;
  dir: string;
  /** The command line, kept in sweep.json and the report. */
  command: string;
  onStart?: (info: { dir: string; points: SweepPoint[]; done: string[] }) => void;
  onSkip?: (p: PointResult) => void;
  onPointStart?: (p: SweepPoint) => void;
  onPoint?: (p: PointResult) => void;
  /** Every coordinator event of a point, as it happens. */
  onEvent?: (point: SweepPoint, e: CoordinatorEvent) => void;
  /** Aborted by a signal: the running point stops (and is not recorded), no other starts; runSweep throws SweepInterrupted. */
  signal?: AbortSignal;
}

export interface SweepOutcome {
  dir: string;
  ran: string[];
  skipped: string[];
  /** Every finished point of the directory (this grid's and earlier grids'), as the outputs show them. */
  results: PointResult[];
  /** Files of the sweep directory the report writer produced. */
  files: string[];
}

/**
 * Runs every point of the grid that sweep.jsonl does not already hold as finished, one after the
 * other (each point is a whole cluster on this machine), and rewrites the CSV, charts and report
 * after each. Rerunning the same command therefore resumes where an interruption left off.
 * The outputs cover every finished point in the directory: a sweep extended with another grid (the
 * settings, which alone name the directory, being the same) keeps the earlier grids' points.
 */
export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  checkSweep(o.settings, o.grid);
  const def = getModel(o.settings.model);
  const dataset = o.settings.dataset ?? def.defaultDataset;
  // Before the sweep directory exists: a sweep that cannot run leaves nothing behind.
  if (!('accuracy' in def.metrics)) throw new SweepConfigError(`model "${def.name}" reports no accuracy, so a sweep cannot find its steps to a target accuracy`);
  const mismatch = datasetMismatch(def, dataset);
  if (mismatch) throw new SweepConfigError(mismatch);
  const ds = await loadDataset(dataset, o.settings.datasetOptions);
  if (o.settings.modelConfig || o.settings.datasetOptions) checkModelConfig(def, o.settings.modelConfig ?? {}, ds.inputShape);
  // As train refuses it: every round would take the whole set while the report named the batch asked for.
  const tooLarge = o.grid.batches.filter((b) => b > ds.train.n);
  if (tooLarge.length) {
    throw new SweepConfigError(`--batch ${tooLarge.join(', ')} ${tooLarge.length > 1 ? 'are' : 'is'} more than the ${ds.train.n} training rows of ${dataset}; the largest batch a point can take is ${ds.train.n}`);
  }
  const store = new SweepStore(o.dir, o.settings, o.grid, o.command);
  const points = sweepPoints(o.grid);
  const done = store.finished();
  o.onStart?.({ dir: store.path, points, done: points.filter((p) => done.has(p.id)).map((p) => p.id) });
  const ran: string[] = [];
  const skipped: string[] = [];
  let files: string[] = [];
  const writeOutputs = async () => {
    files = await writeSweepOutputs(store.path, { settings: store.settings, results: everyFinished(store), commands: store.commands, model: def.name, dataset, machine: machineLine() });
  };
  const stopIfInterrupted = () => {
    if (o.signal?.aborted) throw new SweepInterrupted(abortSignalName(o.signal));
  };
  for (const p of points) {
    const old = done.get(p.id);
    if (old) {
      skipped.push(p.id);
      o.onSkip?.(old);
      continue;
    }
    stopIfInterrupted();
    o.onPointStart?.(p);
    const result = await runPoint({ settings: o.settings, point: p, runsRoot: store.runsRoot, onEvent: (e) => o.onEvent?.(p, e), signal: o.signal });
    store.record(result);
    ran.push(p.id);
    o.onPoint?.(result);
    await writeOutputs();
  }
  if (ran.length === 0) await writeOutputs();
  return { dir: store.path, ran, skipped, results: everyFinished(store), files };
}

/** The directory's finished points in grid order (batch, workers, seed), whichever command ran them. */
function everyFinished(store: SweepStore): PointResult[] {
  return [...store.finished().values()].sort((a, b) => a.batch - b.batch || a.workers - b.workers || a.seed - b.seed);
}

function machineLine(): string {
  const cores = cpus();
  return `${cores.length} CPU cores (${cores[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, tfjs ${tf.version.tfjs} on the ${tf.getBackend()} backend`;
}
