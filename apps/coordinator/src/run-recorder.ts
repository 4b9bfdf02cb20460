import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PROTOCOL_VERSION } from '@shardgrad/protocol';
import pkg from '../package.json' with { type: 'json' };
import { createRunDirectory, openRunDirectory, type RunDirectory } from '@shardgrad/runlog';
import { getLearningRate } from '@shardgrad/trainer';
import type { Coordinator } from './coordinator.ts';
import type { CoordinatorEvent } from './events.ts';
import { saveModelDir, tabularMeta, type ModelMeta } from './model-files.ts';
import { TRAINING_STATE_FILE, writeTrainingCheckpoint } from './training-checkpoint.ts';
import { captureCheckpoint } from './resume.ts';

export interface RunRecorderOptions {
  /** Parent of the run directories. */
  root?: string;
  /** Write a checkpoint every this many steps (besides those the teacher asks for). */
  checkpointEvery?: number;
  /** What the caller planned (epochs, steps, min workers…), kept in run.json beside the model's own. */
  plan?: Record<string, unknown>;
}

export interface RunMeta {
  hyperparameters: Record<string, unknown>;
  model: { name: string; config: Record<string, unknown>; parameters: number; schemaHash: string };
  data: { name: string; options: Record<string, unknown>; inputShape: number[]; train: number; test: number; classNames?: string[] };
  workers: { id: string; nickname?: string; kind: string; backend: string; joinedAt: string }[];
  controls: { at: string; step: number; action: string; message: string }[];
  summary?: Record<string, unknown>;
}

/** The final model of a run lives here, in the tfjs layers format that `export` and `predict` read. */
export const MODEL_DIR = 'model';

/**
 * Keeps `runs/<runId>/` for one run of the coordinator: run.json, every round's train scalars and
 * every evaluation in metrics.jsonl, metrics.csv and a TensorBoard event file, checkpoints as model
 * directories, and the final model. It only listens to coordinator events, so training never waits
 * on it except to write a checkpoint at a round boundary.
 */
export class RunRecorder {
  readonly run: RunDirectory<RunMeta>;
  private readonly listener = (e: CoordinatorEvent) => this.onEvent(e);
  private writing: Promise<unknown> = Promise.resolve();
  private closed = false;
  private failed = false;
  /** The run ended on a stop (not by completing its plan): finish() checkpoints where it stopped. */
  private stoppedEarly = false;

  constructor(
    private readonly c: Coordinator,
    private readonly opts: RunRecorderOptions = {},
  ) {
    const { def, state, dataset, datasetName } = c.config;
    // A resumed run goes on in its own directory; TensorBoard drops the steps it will redo.
    this.run = c.resumedFrom
      ? openRunDirectory<RunMeta>(c.resumedFrom.runDir, { resumeStep: c.resumedFrom.position.step })
      : createRunDirectory<RunMeta>({
      root: opts.root ?? 'runs',
      id: c.runId,
      meta: {
        hyperparameters: {
          batch: c.config.batch,
          optimizer: state.optimizer.getClassName(),
          learningRate: getLearningRate(state.optimizer),
          seed: c.config.seed,
          // A resume without --checkpoint-every keeps the run's cadence (resume-flags.ts).
          ...(opts.checkpointEvery && { checkpointEvery: opts.checkpointEvery }),
          ...opts.plan,
        },
        model: { name: def.name, config: c.config.modelConfig ?? {}, parameters: state.parameterCount, schemaHash: state.schemaHash },
        data: {
          name: datasetName,
          options: c.config.datasetOptions ?? {},
          inputShape: dataset.inputShape,
          train: dataset.train.n,
          test: dataset.test.n,
          classNames: dataset.classNames,
        },
        // Workers that joined before the run began (while the coordinator waited) count too.
        workers: c.pool.list().map((m) => ({ id: m.id, nickname: m.nickname, kind: m.kind, backend: m.backend, joinedAt: new Date(m.joinedAt).toISOString() })),
        controls: [],
      },
      packageVersions: { shardgrad: pkg.version, '@tensorflow/tfjs': tf.version.tfjs, 'shardgrad-protocol': String(PROTOCOL_VERSION), backend: tf.getBackend() },
    });
    c.on('event', this.listener);
    c.control.setCheckpointer((step) => this.checkpoint(step));
  }

  get path(): string {
    return this.run.path;
  }

  get modelDir(): string {
    return join(this.run.path, MODEL_DIR);
  }

  /** Writes the model at `step` as a checkpoint directory; a second call for the same step reuses it. */
  checkpoint(step: number): Promise<string> {
    const path = this.run.checkpointPath(step);
    const job = this.writing.then(async () => {
      if (existsSync(path)) return path;
      // A half-written directory must never carry a checkpoint's name: write aside, then rename.
      const tmp = join(dirname(path), `.tmp-${process.pid}-${step}`);
      await rm(tmp, { recursive: true, force: true });
      await saveModelDir(this.c.config.state.model, tmp, this.modelMeta(step));
      // What `--resume` reads: weights, optimizer state, position; renamed together with the model.
      await writeTrainingCheckpoint(join(tmp, TRAINING_STATE_FILE), captureCheckpoint(this.c));
      await rename(tmp, path);
      this.c.emit('event', { type: 'checkpoint', step, path });
      return path;
    });
    this.writing = job.catch(() => undefined);
    return job;
  }

  /** Saves the final model, records the summary and closes the run's files. */
  async finish(summary: { steps: number; testMetrics?: Record<string, number> }): Promise<string> {
    // A run stopped short (Ctrl-C, the teacher's stop) can be resumed from where it stopped, not
    // from its last periodic checkpoint: the steps between would be trained twice.
    if (this.stoppedEarly) await this.checkpoint(summary.steps).catch(() => undefined);
    await this.writing;
    await saveModelDir(this.c.config.state.model, this.modelDir, this.modelMeta(summary.steps, summary.testMetrics));
    this.safely(() => this.run.updateMeta({ summary: { ...summary } }));
    this.close();
    return this.modelDir;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.c.off('event', this.listener);
    this.c.control.setCheckpointer(undefined);
    this.safely(() => this.run.close());
  }

  modelMeta(step: number, metrics?: Record<string, number>): ModelMeta {
    const { def, dataset, datasetName } = this.c.config;
    const tabular = tabularMeta(dataset);
    return {
      model: def.name,
      dataset: datasetName,
      inputShape: dataset.inputShape,
      labelSize: dataset.labelSize,
      numClasses: dataset.numClasses,
      classNames: dataset.classNames,
      runId: this.run.id,
      step,
      metrics,
      // What evaluate and predict need to rebuild the data and the model's context as training had them.
      datasetOptions: this.c.config.datasetOptions ?? {},
      modelConfig: this.c.config.modelConfig ?? {},
      ...(tabular ? { tabular } : {}),
    };
  }

  private onEvent(e: CoordinatorEvent): void {
    if (this.closed) return;
    switch (e.type) {
      case 'round':
        this.safely(() =>
          this.run.logMetrics(e.step, { loss: e.loss, ...e.metrics, samples_per_second: e.samples / Math.max(1e-3, e.roundMs / 1000) }, 'train'),
        );
        if (this.opts.checkpointEvery && e.step % this.opts.checkpointEvery === 0) {
          this.c.control.requestCheckpoint().catch(() => undefined);
        }
        break;
      case 'evaluation':
        this.safely(() => this.run.logMetrics(e.step, { loss: e.loss, ...e.metrics }, e.split));
        break;
      case 'finished':
        this.stoppedEarly = e.reason === 'stopped';
        break;
      case 'worker-joined': {
        const w = e.worker;
        const workers = [...this.run.info.meta.workers, { id: w.id, nickname: w.nickname, kind: w.kind, backend: w.backend, joinedAt: new Date().toISOString() }];
        this.safely(() => this.run.updateMeta({ workers }));
        break;
      }
      case 'control': {
        const controls = [...this.run.info.meta.controls, { at: new Date().toISOString(), step: e.step, action: e.action, message: e.message }];
        this.safely(() => this.run.updateMeta({ controls }));
        break;
      }
    }
  }

  /** A full disk must not stop a class: the first failure is reported, training goes on. */
  private safely(write: () => void): void {
    try {
      write();
    } catch (err) {
      if (!this.failed) process.stderr.write(`shardgrad: cannot write the run directory ${this.run.path}: ${(err as Error).message}\n`);
      this.failed = true;
    }
  }
}
