import type { Namespace } from 'socket.io';
import { listModels, type ModelDefinition } from '@shardgrad/models';
import {
  CLASS_NAMESPACE,
  DASHBOARD_NAMESPACE,
  displayName,
  type ClassServerEvents,
  type ClassStats,
  type DashboardRun,
  type DashboardServerEvents,
  type DashboardSnapshot,
  type JoinInfo,
  type MetricPoint,
  type ModelRunDefaults,
  type PreviewImage,
  type RunState,
  type ScalarPoint,
  type ViewerClientEvents,
  type WorkersWaitedFor,
} from '@shardgrad/protocol';
import { getLearningRate } from '@shardgrad/trainer';
import type { Coordinator } from '../coordinator.ts';
import { scheduleView, trainingOptionsFrom } from '../training-policy.ts';
import type { CoordinatorEvent } from '../events.ts';
import { ClassStatsTracker } from './class-stats.ts';
import { previewFor } from './previews.ts';
// Models' own pictures register themselves with previews.ts when imported.
import './gan-preview.ts';

/** Viewers get batched updates at most this often: a fast cluster makes dozens of rounds a second. */
const FLUSH_MS = 500;
/** A new picture of the model at most this often, and only while someone watches. */
const PREVIEW_MS = 2000;
/** Train points kept for the curves; beyond this the older half is thinned to every other point. */
const MAX_POINTS = 8000;
const LOG_LINES = 50;
/** The dashboard sockets that may see the join code (the teacher's), for its rotations. */
const JOIN_ROOM = 'sees-join-code';


/** What a model's new run gets unless the teacher says otherwise (the coordinator command's rule). */
function defaultsOf(m: ModelDefinition): ModelRunDefaults {
  const schedule = scheduleView(trainingOptionsFrom(m.defaults.training ?? {}));
  return { batch: m.defaults.batch, optimizer: m.optimizer.name, learningRate: m.optimizer.learningRate, ...(schedule && { lrSchedule: schedule }) };
}

/**
 * Turns coordinator events into what the teacher's dashboard and the students' pages show, and
 * pushes it to them over two socket.io namespaces. It only reads the coordinator.
 */
export class DashboardHub {
  private history: MetricPoint[] = [];
  private scalars: ScalarPoint[] = [];
  private pending: MetricPoint[] = [];
  private log: string[] = [];
  private preview: PreviewImage | undefined;
  private previewAt = 0;
  private waiting = true;
  /** Workers the run waits for (the last `waiting` event's), while `waiting`. */
  private needed = 0;
  /** Whether this run has made a round: waiting before it is to start, after it to go on. */
  private started = false;
  private finished = false;
  private dirty = { run: false, workers: false, class: false };
  private readonly tracker = new ClassStatsTracker();
  private readonly dash: Namespace<ViewerClientEvents, DashboardServerEvents>;
  private readonly cls: Namespace<ViewerClientEvents, ClassServerEvents>;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly listener = (e: CoordinatorEvent) => this.onEvent(e);

  constructor(
    private readonly c: Coordinator,
    private readonly join: () => JoinInfo,
    /** Whether a viewer presenting this token (socket auth, or a request's bearer) may see the join code. */
    private readonly seesJoin: (token: unknown) => boolean = () => true,
  ) {
    this.dash = c.of(DASHBOARD_NAMESPACE) as unknown as Namespace<ViewerClientEvents, DashboardServerEvents>;
    this.cls = c.of(CLASS_NAMESPACE) as unknown as Namespace<ViewerClientEvents, ClassServerEvents>;
    this.dash.on('connection', (s) => {
      if (!this.preview) this.makePreview();
      const sees = this.seesJoin((s.handshake.auth as { token?: unknown } | undefined)?.token);
      if (sees) void s.join(JOIN_ROOM);
      s.emit('snapshot', this.snapshot(sees));
    });
    this.cls.on('connection', (s) => s.emit('class', this.classStats()));
    c.on('event', this.listener);
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  get state(): RunState {
    const ctl = this.c.control;
    if (this.finished) return 'finished';
    if (ctl.stopRequested) return 'stopping';
    if (ctl.paused) return 'paused';
    // Mid-round with every worker gone, the round waits for the next to join.
    return this.waiting || this.c.pool.size === 0 ? 'waiting' : 'training';
  }

  run(): DashboardRun {
    const { def, datasetName, batch, state } = this.c.config;
    const schedule = this.c.lrSchedule;
    const waitingFor = this.waitingFor();
    return {
      runId: this.c.runId,
      model: def.name,
      dataset: datasetName,
      batch,
      optimizer: state.optimizer.getClassName(),
      learningRate: getLearningRate(state.optimizer),
      baseLearningRate: state.baseLearningRate,
      ...(schedule && { lrSchedule: schedule }),
      parameters: state.parameterCount,
      state: this.state,
      step: state.version,
      ...(waitingFor && { waitingFor }),
      models: listModels().map((m) => ({ name: m.name, summary: m.summary, datasets: m.datasets, defaults: defaultsOf(m) })),
    };
  }

  /** How many more workers training waits for, counted now (the pool changes between `waiting` events). */
  private waitingFor(): WorkersWaitedFor | undefined {
    if (!this.waiting || this.finished || this.c.control.stopRequested) return undefined;
    const have = this.c.pool.size;
    return have < this.needed ? { needed: this.needed, have, toStart: !this.started } : undefined;
  }

  /** Everything a dashboard draws; the join code only for a viewer who may see it. */
  snapshot(withJoin = true): DashboardSnapshot {
    return {
      run: this.run(),
      ...(withJoin && { join: this.join() }),
      history: this.history,
      scalars: this.scalars,
      workers: this.c.pool.views(),
      preview: this.preview,
      log: this.log,
    };
  }

  classStats(): ClassStats {
    this.tracker.update(this.c.pool.list(), this.c.pool.departed());
    const r = this.run();
    return { ...this.tracker.stats({ runId: r.runId, model: r.model, state: r.state, step: r.step, waitingFor: r.waitingFor }), batch: r.batch };
  }

  close(): void {
    clearInterval(this.timer);
    this.c.off('event', this.listener);
  }

  private onEvent(e: CoordinatorEvent): void {
    switch (e.type) {
      case 'round': {
        this.waiting = false;
        this.started = true;
        this.push({
          step: e.step,
          split: 'train',
          wallTime: Date.now() / 1000,
          loss: e.loss,
          metrics: e.metrics,
          samplesPerSecond: e.samples / Math.max(1e-3, e.roundMs / 1000),
        });
        this.markDirty('run', 'workers', 'class');
        if (this.dash.sockets.size > 0 && Date.now() - this.previewAt > PREVIEW_MS) this.makePreview();
        break;
      }
      case 'evaluation':
        this.push({ step: e.step, split: e.split, wallTime: Date.now() / 1000, loss: e.loss, metrics: e.metrics });
        break;
      case 'waiting':
        this.waiting = true;
        this.needed = e.needed;
        this.markDirty('run', 'class');
        break;
      case 'worker-joined':
        this.say(`${displayName(e.worker)} joined (${e.worker.kind}, ${e.worker.backend})`);
        // "run": how many more the class waits for.
        this.markDirty('workers', 'class', 'run');
        break;
      case 'worker-left':
        this.say(`${displayName({ id: e.workerId, nickname: e.nickname })} left`);
        this.markDirty('workers', 'class', 'run');
        break;
      case 'control':
        this.say(e.message);
        this.markDirty('run', 'class');
        this.flush();
        break;
      case 'secret-rotated':
        if (e.secret === 'join-code') {
          this.dash.to(JOIN_ROOM).emit('join', this.join());
          this.say('new join code');
        }
        break;
      case 'checkpoint':
        this.say(`checkpoint at step ${e.step}`);
        break;
      case 'finished':
        this.finished = true;
        this.makePreview();
        this.say(e.reason === 'stopped' ? `stopped at step ${e.step}` : `finished at step ${e.step}`);
        this.markDirty('run', 'class');
        this.flush();
        break;
      case 'run-started':
        this.history = [];
        this.scalars = [];
        this.pending = [];
        this.preview = undefined;
        this.finished = false;
        this.waiting = true;
        this.started = false;
        this.needed = 0;
        this.tracker.reset();
        this.say(`new run ${e.runId}: ${e.model} on ${e.dataset}`);
        this.makePreview();
        this.dash.emit('snapshot', this.snapshot());
        this.markDirty('class');
        break;
      case 'noise-scale':
        // The gradient noise scale B_simple (noise-scale-monitor.ts), once it is measurable.
        if (e.available && e.bSimple !== null && Number.isFinite(e.bSimple)) {
          const p = { name: 'B_simple', step: e.step, value: e.bSimple };
          this.scalars.push(p);
          if (this.scalars.length > MAX_POINTS) this.scalars = this.scalars.filter((_, i) => i % 2 === 0);
          this.dash.emit('scalar', p);
          if (e.adviceChanged) this.say(e.advice.message);
        }
        break;
    }
  }

  private push(p: MetricPoint): void {
    this.history.push(p);
    this.pending.push(p);
    if (this.history.length > MAX_POINTS) {
      const half = this.history.length >> 1;
      this.history = [...this.history.slice(0, half).filter((q, i) => q.split !== 'train' || i % 2 === 0), ...this.history.slice(half)];
    }
  }

  private say(line: string): void {
    const stamped = `${new Date().toLocaleTimeString('en-GB')}  ${line}`;
    this.log.push(stamped);
    if (this.log.length > LOG_LINES) this.log.shift();
    this.dash.emit('log', stamped);
  }

  private markDirty(...what: (keyof DashboardHub['dirty'])[]): void {
    for (const w of what) this.dirty[w] = true;
  }

  private makePreview(): void {
    const make = previewFor(this.c.config);
    if (!make) return;
    try {
      const p = make(this.c.config, this.c.config.state.version);
      if (!p) return;
      this.preview = p;
      this.previewAt = Date.now();
      this.dash.emit('preview', p);
    } catch (err) {
      this.say(`preview failed: ${(err as Error).message}`);
      this.previewAt = Date.now() + 60_000; // do not retry every round
    }
  }

  private flush(): void {
    if (this.pending.length > 0) this.dash.emit('points', this.pending.splice(0));
    if (this.dirty.run) this.dash.emit('run', this.run());
    if (this.dirty.workers) this.dash.emit('workers', this.c.pool.views());
    if (this.dirty.class && this.cls.sockets.size > 0) this.cls.emit('class', this.classStats());
    this.dirty = { run: false, workers: false, class: false };
  }
}
