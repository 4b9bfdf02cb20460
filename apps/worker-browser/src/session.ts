/**
 * The tab's life as a worker, on the page's main thread: fetch the run, download the data, have the
 * Web Worker calibrate, then join over socket.io and turn tasks into results until paused, stopped
 * or closed. The socket lives here, not in the Web Worker, so that pause and page close can say
 * goodbye at once even while a shard is computing, and so the UI reads one state.
 */
import * as Comlink from 'comlink';
import { io, type Socket } from 'socket.io-client';
// Deep imports: the packages' index files also pull in msgpackr and zod, which the main thread never needs.
import { asBytes } from '@shardgrad/codec/indices';
import { PROTOCOL_VERSION } from '@shardgrad/protocol/version';
import type { ClientToServerEvents, JoinAck, ResultHeader, RunInfo, ServerToClientEvents, Task } from '@shardgrad/protocol';
import type { BrowserBackend, CalibrationReport, ComputeApi, ShardReply } from './compute-api.ts';
import type { PageOptions } from './page-options.ts';

export type Phase = 'connecting' | 'downloading' | 'calibrating' | 'waiting' | 'training' | 'paused' | 'finished' | 'error';

export interface TabSnapshot {
  phase: Phase;
  /** One line for the student: what the tab does right now. */
  message: string;
  run?: Pick<RunInfo, 'runId' | 'model' | 'dataset' | 'batch'>;
  workerId?: string;
  backend?: BrowserBackend;
  samplesPerSecond?: number;
  calibration?: CalibrationReport;
  /** What this tab contributed: accepted results only. */
  contribution: { samples: number; rounds: number };
  fallbacks: NonNullable<ShardReply['fallback']>[];
  /** Why the coordinator refused this tab's hello (JoinAck reason, e.g. 'unauthorized' for a wrong code). */
  refused?: string;
}

export interface SessionDeps {
  origin: string;
  options: PageOptions;
  compute: Comlink.Remote<ComputeApi>;
  /**
   * What outlives a reload of the page (the tab's sessionStorage): the resume key, so a student who
   * reloads, or renames (which reloads), comes back as the same worker, not as a second one; and
   * the tab's own count of its work, which would otherwise restart at 0 while the coordinator's
   * count for the same worker carried on.
   */
  memory?: { load(): TabMemory; save(m: TabMemory): void };
}

export interface TabMemory {
  resumeKey?: string;
  contribution?: TabSnapshot['contribution'];
}

type WorkerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Consecutive failed tasks after which the tab gives up (and says why) instead of rejoining. */
const MAX_FAILURES = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two runs need the same preparation when model, data and schema agree (a restart keeps them). */
const sameWork = (a: RunInfo, b: RunInfo) =>
  a.model === b.model &&
  a.dataset === b.dataset &&
  a.schemaHash === b.schemaHash &&
  a.seed === b.seed &&
  JSON.stringify([a.modelConfig, a.datasetOptions]) === JSON.stringify([b.modelConfig, b.datasetOptions]);

export class TabSession {
  private snap: TabSnapshot = { phase: 'connecting', message: 'Connecting to the coordinator…', contribution: { samples: 0, rounds: 0 }, fallbacks: [] };
  private listeners = new Set<(s: TabSnapshot) => void>();
  private socket?: WorkerSocket;
  private run?: RunInfo;
  private prepared?: RunInfo;
  private report?: CalibrationReport;
  private localVersion = -1;
  private queue: Promise<void> = Promise.resolve();
  /** Bumped on every (re)connection: work queued for an earlier connection is dropped, never sent late. */
  private generation = 0;
  /** Given at join; said again after a drop, so the coordinator knows this tab (its strikes, its shard). */
  private resumeKey?: string;
  private inFlight = 0;
  private pausedByUser = false;
  /** Tasks failed in a row; a tab that fails every task stops rather than rejoin forever. */
  private failures = 0;
  private announcedRun?: RunInfo;
  private lastStop?: string;

  constructor(private readonly deps: SessionDeps) {
    const remembered = deps.memory?.load() ?? {};
    this.resumeKey = remembered.resumeKey;
    if (remembered.contribution) this.snap = { ...this.snap, contribution: remembered.contribution };
  }

  private remember(): void {
    this.deps.memory?.save({ resumeKey: this.resumeKey, contribution: this.snap.contribution });
  }

  get snapshot(): TabSnapshot {
    return this.snap;
  }

  onChange(fn: (s: TabSnapshot) => void): () => void {
    this.listeners.add(fn);
    fn(this.snap);
    return () => this.listeners.delete(fn);
  }

  async start(): Promise<void> {
    try {
      this.set({ phase: 'connecting', message: 'Connecting to the coordinator…' });
      const run = await this.fetchRun();
      await this.prepare(run);
      if (this.pausedByUser) return this.set({ phase: 'paused', message: 'Paused. This tab does no work until you resume.' });
      this.connect();
    } catch (e) {
      this.fail(e);
    }
  }

  /** The pause button: leave the class at once (the coordinator gives our shard to others). */
  pause(): void {
    this.pausedByUser = true;
    this.leave();
    this.set({ phase: 'paused', message: 'Paused. This tab does no work until you resume.' });
  }

  resume(): void {
    if (!this.pausedByUser && this.snap.phase !== 'finished') return;
    this.pausedByUser = false;
    this.set({ phase: 'connecting', message: 'Joining again…' });
    if (!this.report) void this.start();
    else if (this.socket) this.socket.connect();
    else this.connect();
  }

  /** Page is going away: say so, so the coordinator need not wait for the socket to time out. */
  leave(): void {
    this.generation++;
    if (this.socket?.connected) this.socket.emit('leave');
    this.socket?.disconnect();
  }

  private async fetchRun(): Promise<RunInfo> {
    const res = await fetch(`${this.deps.origin}/api/status`, { cache: 'no-store' });
    if (!res.ok) throw new Error(`the coordinator answered ${res.status} for its status`);
    const body = (await res.json()) as { run?: RunInfo };
    if (!body.run?.runId || !body.run.model || !body.run.dataset) throw new Error('the coordinator has no run to join');
    return body.run;
  }

  /** Download, load and calibrate: everything before the coordinator may count on this tab. */
  private async prepare(run: RunInfo): Promise<void> {
    this.set({ phase: 'downloading', message: `Downloading the ${run.dataset} training data…`, run: pickRun(run) });
    const res = await fetch(`${this.deps.origin}/data/${encodeURIComponent(run.dataset)}.bin`);
    if (!res.ok) throw new Error(`could not download the dataset (${res.status} ${await res.text().catch(() => '')})`);
    const dataset = new Uint8Array(await res.arrayBuffer());
    await this.deps.compute.init(Comlink.transfer({ run, dataset, wasmPrefix: `${this.deps.origin}/tfjs-wasm/` }, [dataset.buffer]));
    this.set({ phase: 'calibrating', message: 'Testing which backend computes fastest and correctly here…' });
    const { candidates, pinned } = this.deps.options;
    this.report = await this.deps.compute.calibrate({ candidates, pinned });
    this.prepared = run;
    this.set({ backend: this.report.chosen, samplesPerSecond: this.reportedSpeed(), calibration: this.report });
  }

  private connect(): void {
    const socket: WorkerSocket = io(this.deps.origin, { transports: ['websocket'], reconnectionDelayMax: 5000 });
    this.socket = socket;
    socket.on('connect', () => this.hello(socket));
    socket.on('task', (task) => {
      const gen = this.generation;
      this.inFlight++;
      this.queue = this.queue
        .then(() => this.handle(socket, task, gen))
        .catch((e: Error) => this.taskFailed(e))
        .finally(() => {
          this.inFlight--;
          if (this.inFlight === 0 && this.snap.phase === 'training') this.set({ phase: 'waiting', message: 'Waiting for the next round…' });
        });
    });
    socket.on('run', (run) => (this.announcedRun = run));
    socket.on('stop', (reason) => {
      // Training is over (or this tab was let go): nothing more will come, so close our side.
      this.lastStop = reason;
      this.generation++;
      socket.disconnect();
      const ended = /^training finished\.?$/i.test(reason) ? 'Training finished' : `Training ended: ${reason}`;
      this.set({ phase: 'finished', message: `${ended}. Thank you for helping!` });
    });
    socket.on('connect_error', (e) => {
      if (!this.pausedByUser) this.set({ phase: 'connecting', message: `Cannot reach the coordinator (${e.message}); retrying…` });
    });
    socket.on('disconnect', (reason) => void this.disconnected(socket, reason));
  }

  private hello(socket: WorkerSocket): void {
    if (this.pausedByUser) {
      socket.disconnect();
      return;
    }
    const report = this.report!;
    const wasm = report.results.find((r) => r.backend === 'wasm');
    this.generation++;
    const gen = this.generation;
    this.set({ phase: 'connecting', message: 'Joining the class…' });
    socket.emit(
      'hello',
      {
        protocol: PROTOCOL_VERSION,
        kind: 'browser',
        backend: report.chosen,
        nickname: this.deps.options.nickname,
        token: this.deps.options.code,
        resume: this.resumeKey,
        samplesPerSecond: this.reportedSpeed(),
        ...(this.deps.options.compress !== 'none' && { compress: this.deps.options.compress }),
        ...(report.chosen === 'wasm' && wasm?.threads ? { threads: wasm.threads } : {}),
      },
      (ack: JoinAck) => void this.joined(socket, ack, gen),
    );
  }

  private async joined(socket: WorkerSocket, ack: JoinAck, gen: number): Promise<void> {
    if (gen !== this.generation) return;
    if (!ack.ok) {
      socket.disconnect();
      return this.set({ phase: 'error', message: `the coordinator refused this tab: ${ack.message}`, refused: ack.reason });
    }
    this.resumeKey = ack.resumeKey;
    this.remember();
    if (!this.prepared || !sameWork(this.prepared, ack.run)) {
      // The coordinator moved to another run since we prepared: prepare for that one, then join.
      socket.disconnect();
      try {
        await this.prepare(ack.run);
        socket.connect();
      } catch (e) {
        this.fail(e);
      }
      return;
    }
    this.run = ack.run;
    this.localVersion = -1;
    socket.emit('ready', { samplesPerSecond: this.reportedSpeed() });
    this.set({ phase: 'waiting', message: 'Joined. Waiting for the next round…', workerId: ack.workerId, run: pickRun(ack.run), refused: undefined });
  }

  private async handle(socket: WorkerSocket, task: Task, gen: number): Promise<void> {
    if (gen !== this.generation || !this.run || task.runId !== this.run.runId) return;
    this.set({ phase: 'training', message: `Computing ${task.unit.kind === 'samples' ? `${task.unit.indices.byteLength / 4} samples` : 'a task'} for round ${task.round + 1}…` });
    if (!task.weights && this.localVersion !== task.version) throw new Error(`the task needs weights v${task.version}, this tab holds v${this.localVersion}`);
    if (task.unit.kind !== 'samples') throw new Error(`work of kind "${task.unit.kind}" is not something this page can do`);
    if (task.delayMs) await sleep(task.delayMs);
    // Weights and shard go in one message (compute-api.ts says why). Until the worker has taken the
    // weights this tab holds no version it can vouch for.
    const weights = task.weights ? copyBytes(task.weights) : undefined;
    const indices = copyBytes(task.unit.indices);
    if (weights) this.localVersion = -1;
    const request = { weights, indices, augmentSeed: task.unit.augmentSeed, round: task.round, compress: this.deps.options.compress };
    const r = await this.deps.compute.compute(Comlink.transfer(request, weights ? [weights.buffer, indices.buffer] : [indices.buffer]));
    if (weights) this.localVersion = task.version;
    let computeMs = r.computeMs;
    const slowdown = this.deps.options.slowdown;
    if (slowdown > 1) {
      await sleep(computeMs * (slowdown - 1));
      computeMs *= slowdown;
    }
    // Paused or reconnected meanwhile: the coordinator already gave this shard to someone else.
    if (gen !== this.generation || !socket.connected) return;
    const header: ResultHeader = {
      runId: task.runId,
      round: task.round,
      version: task.version,
      shardId: task.shardId,
      count: r.count,
      loss: r.loss,
      metrics: r.metrics,
      schemaHash: this.run.schemaHash,
      computeMs,
      ...(r.encoding !== 'none' && { encoding: r.encoding }),
    };
    socket.emit('result', header, r.grads, (ack) => {
      if (ack.ok) {
        this.failures = 0;
        const c = this.snap.contribution;
        this.set({ contribution: { samples: c.samples + r.count, rounds: c.rounds + 1 } });
        this.remember();
      }
      if (r.fallback) this.switchedBackend(socket, r);
    });
  }

  /**
   * The GPU was lost and the Web Worker moved to another backend. The result is in; now join again,
   * so the coordinator shows the backend actually used and plans with its speed.
   */
  private switchedBackend(socket: WorkerSocket, r: ShardReply): void {
    this.report = { ...this.report!, chosen: r.backend, samplesPerSecond: r.fallback?.samplesPerSecond ?? this.report!.samplesPerSecond };
    this.set({ backend: r.backend, samplesPerSecond: this.reportedSpeed(), fallbacks: [...this.snap.fallbacks, r.fallback!] });
    this.generation++;
    socket.disconnect();
    socket.connect();
  }

  /** The calibrated speed, as slow as `slowdown` makes this tab pretend to be. */
  private reportedSpeed(): number {
    return this.report!.samplesPerSecond / this.deps.options.slowdown;
  }

  private taskFailed(e: Error): void {
    if (++this.failures >= MAX_FAILURES) {
      this.leave();
      return this.fail(new Error(`this tab failed ${this.failures} tasks in a row and stopped: ${e.message}`));
    }
    // Out of step with the coordinator (weights, run): join afresh rather than send bad work.
    console.warn(`shardgrad: task failed, joining again: ${e.message}`);
    if (this.socket?.connected) {
      this.generation++;
      this.socket.disconnect();
      this.socket.connect();
    }
  }

  private async disconnected(socket: WorkerSocket, reason: Socket.DisconnectReason): Promise<void> {
    if (this.pausedByUser || this.snap.phase === 'error') return;
    if (reason === 'io client disconnect') return; // our own doing: a rejoin or a leave
    if (reason !== 'io server disconnect') {
      this.set({ phase: 'connecting', message: `Connection lost (${reason}); reconnecting…` });
      return;
    }
    const next = this.announcedRun;
    this.announcedRun = undefined;
    if (next) {
      // The teacher started a new run: prepare for it and join again.
      try {
        if (!this.prepared || !sameWork(this.prepared, next)) await this.prepare(next);
        socket.connect();
      } catch (e) {
        this.fail(e);
      }
      return;
    }
    this.set({ phase: 'finished', message: this.lastStop ? `The coordinator ended the session: ${this.lastStop}.` : 'The coordinator ended the session.' });
  }

  private fail(e: unknown): void {
    this.set({ phase: 'error', message: (e as Error)?.message ?? String(e) });
  }

  private set(patch: Partial<TabSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const fn of this.listeners) fn(this.snap);
  }
}

const pickRun = (r: RunInfo) => ({ runId: r.runId, model: r.model, dataset: r.dataset, batch: r.batch });

/** A fresh, exactly sized copy: socket.io may hand us a view into a larger buffer, and we transfer it. */
function copyBytes(v: unknown): Uint8Array {
  return asBytes(v).slice();
}
