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
import type { BrowserBackend, CalibrationProgress, CalibrationReport, ComputeApi, ShardReply } from './compute-api.ts';
import { joinableAgain, type ClassTotal } from './class-total.ts';
import type { PageOptions } from './page-options.ts';
import { BACKEND_LABELS } from './backend-labels.ts';

/** `code`: the class needs a join code and the tab has none (or a refused one); the student types it. */
export type Phase = 'connecting' | 'code' | 'downloading' | 'calibrating' | 'waiting' | 'training' | 'paused' | 'finished' | 'error';

export interface Counts {
  samples: number;
  rounds: number;
}

export interface TabSnapshot {
  phase: Phase;
  /** One line for the student: what the tab does right now. */
  message: string;
  run?: Pick<RunInfo, 'runId' | 'model' | 'dataset' | 'batch'>;
  workerId?: string;
  backend?: BrowserBackend;
  samplesPerSecond?: number;
  calibration?: CalibrationReport;
  /** While the backend test runs: the backend measured now and the results so far. */
  calibrating?: CalibrationProgress;
  /** The name the tab joins under (`?name=` or the saved one); absent: its short id stands for it. */
  nickname?: string;
  /**
   * What this tab contributed to the run it is in: results the coordinator accepted (acknowledged
   * ok), counted from zero where the coordinator's count for this worker starts from zero (a new
   * run, or a join it did not resume), so it is the count on this tab's leaderboard row.
   */
  contribution: Counts;
  /** Accepted results of every run since this tab opened (kept across reloads). */
  allRuns: Counts;
  /** Finished because training ended: the tab joins by itself once the class server has a run again. */
  rejoinsByItself?: boolean;
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
   * reloads comes back as the same worker, not as a second one; and the tab's own counts of its
   * work, which would otherwise restart at 0 while the coordinator's count for the same worker
   * carried on.
   */
  memory?: { load(): TabMemory; save(m: TabMemory): void };
}

export interface TabMemory {
  resumeKey?: string;
  /** The run `contribution` counts. */
  runId?: string;
  contribution?: Counts;
  allRuns?: Counts;
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

const NO_WORK: Counts = { samples: 0, rounds: 0 };
const CONNECTING = 'Connecting to the class server…';
/** A student needs no transport names: the socket's own reason goes to the console instead. */
const UNREACHABLE = 'Cannot reach the class server; retrying…';
/** How long to wait before asking again for the run of a class server that did not answer. */
const RETRY_MS = 3000;
/** The stop reason of a run that simply ended (the CLI's broadcastStop at the end of a class). */
const NORMAL_END = /^training finished\.?$/i;

export class TabSession {
  private snap: TabSnapshot = { phase: 'connecting', message: CONNECTING, contribution: NO_WORK, allRuns: NO_WORK, fallbacks: [] };
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
  /** The run `contribution` counts (where the coordinator's count for this worker is the same). */
  private countedRun?: string;
  /** The run that finished, and whether the class server went away since (a restart). */
  private finishedRun?: { runId?: string; serverWasGone: boolean };
  /** Bumped at each calibration: progress news from an earlier one, arriving late, is not drawn. */
  private calibrationId = 0;

  constructor(private readonly deps: SessionDeps) {
    const remembered = deps.memory?.load() ?? {};
    this.resumeKey = remembered.resumeKey;
    this.countedRun = remembered.runId;
    this.snap = {
      ...this.snap,
      nickname: deps.options.nickname,
      contribution: (remembered.runId && remembered.contribution) || NO_WORK,
      allRuns: remembered.allRuns ?? NO_WORK,
    };
  }

  private remember(): void {
    this.deps.memory?.save({ resumeKey: this.resumeKey, runId: this.countedRun, contribution: this.snap.contribution, allRuns: this.snap.allRuns });
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
      this.set({ phase: 'connecting', message: CONNECTING });
      const run = await this.fetchRunWhenReachable();
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
    this.finishedRun = undefined;
    this.set({ phase: 'connecting', message: 'Joining again…', rejoinsByItself: undefined });
    if (!this.report) void this.start();
    else if (this.socket) this.socket.connect();
    else this.connect();
  }

  /**
   * A new name: the coordinator learns names at hello, so a joined tab joins again with its resume
   * key. It comes back as the same worker, so the leaderboard renames its row rather than add one,
   * and the calibration is kept: no new backend test, no reload.
   */
  rename(nickname: string | undefined): void {
    if (nickname === this.deps.options.nickname) return;
    this.deps.options.nickname = nickname;
    this.set({ nickname });
    if (this.socket?.connected) this.rejoin(this.socket);
  }

  /**
   * What the class stats say (class-total.ts). A tab that finished because training ended joins
   * again by itself once the class server is back with a run to join: a student who kept the page
   * open expects it to carry on, as it does when the teacher starts a new run.
   */
  classChanged(t: ClassTotal): void {
    if (!this.finishedRun) return;
    if (t.offline) this.finishedRun.serverWasGone = true;
    else if (this.snap.phase === 'finished' && joinableAgain(this.finishedRun, t)) this.resume();
  }

  /** Page is going away: say so, so the coordinator need not wait for the socket to time out. */
  leave(): void {
    this.generation++;
    if (this.socket?.connected) this.socket.emit('leave');
    this.socket?.disconnect();
  }

  /** The run to join; while the class server cannot be reached (not started yet, restarting), asks again. */
  private async fetchRunWhenReachable(): Promise<RunInfo> {
    for (;;) {
      let res: Response;
      try {
        res = await fetch(`${this.deps.origin}/api/status`, { cache: 'no-store' });
      } catch (e) {
        console.warn(`shardgrad: class server unreachable: ${(e as Error).message}`);
        this.set({ phase: 'connecting', message: UNREACHABLE });
        await sleep(RETRY_MS);
        continue;
      }
      if (!res.ok) throw new Error(`the class server answered ${res.status} when asked for its run`);
      const body = (await res.json()) as { run?: RunInfo };
      if (!body.run?.runId || !body.run.model || !body.run.dataset) throw new Error('the class server has no run to join');
      return body.run;
    }
  }

  /** Download, load and calibrate: everything before the coordinator may count on this tab. */
  private async prepare(run: RunInfo): Promise<void> {
    this.set({ phase: 'downloading', message: `Downloading the ${run.dataset} training data…`, run: pickRun(run) });
    const res = await fetch(`${this.deps.origin}/data/${encodeURIComponent(run.dataset)}.bin`);
    if (!res.ok) throw new Error(`could not download the dataset (${res.status} ${await res.text().catch(() => '')})`);
    const dataset = new Uint8Array(await res.arrayBuffer());
    await this.deps.compute.init(Comlink.transfer({ run, dataset, wasmPrefix: `${this.deps.origin}/tfjs-wasm/` }, [dataset.buffer]));
    const id = ++this.calibrationId;
    const { candidates, pinned } = this.deps.options;
    const start: CalibrationProgress = { done: [], total: new Set([...candidates, 'cpu']).size };
    this.set({ phase: 'calibrating', message: calibratingMessage(start), calibrating: start, calibration: undefined });
    const progress = (p: CalibrationProgress) => {
      if (id === this.calibrationId && this.snap.phase === 'calibrating') this.set({ calibrating: p, message: calibratingMessage(p) });
    };
    try {
      this.report = await this.deps.compute.calibrate({ candidates, pinned }, Comlink.proxy(progress));
    } finally {
      this.calibrationId++;
    }
    this.prepared = run;
    this.set({ backend: this.report.chosen, samplesPerSecond: this.reportedSpeed(), calibration: this.report, calibrating: undefined });
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
      const normal = NORMAL_END.test(reason);
      // Only a run that simply ended is followed into the next: a tab that was let go stays out.
      this.finishedRun = normal ? { runId: this.run?.runId, serverWasGone: false } : undefined;
      this.set({
        phase: 'finished',
        message: normal ? 'Training finished. Thank you for helping! Keep this page open: it joins the next run by itself.' : `Training ended: ${reason}.`,
        rejoinsByItself: normal,
      });
    });
    socket.on('connect_error', (e) => {
      console.warn(`shardgrad: cannot connect: ${e.message}`);
      if (!this.pausedByUser) this.set({ phase: 'connecting', message: UNREACHABLE });
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
    this.set({ phase: 'connecting', message: 'Joining the class…', rejoinsByItself: undefined });
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
      // A wrong or old code is the student's to fix: ask for it again, no error.
      if (ack.reason === 'unauthorized') return this.askForCode('That code was not accepted: type the one on the teacher\'s screen.', ack.reason);
      return this.set({ phase: 'error', message: `The class server refused this tab: ${ack.message}`, refused: ack.reason });
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
    this.startCounting(ack);
    socket.emit('ready', { samplesPerSecond: this.reportedSpeed() });
    this.set({ phase: 'waiting', message: 'Joined. Waiting for the next round…', workerId: ack.workerId, run: pickRun(ack.run), refused: undefined });
  }

  /**
   * The coordinator carries a worker's count on only when it resumed that worker in the same run
   * (resume-book.ts restoreRecord); otherwise it counts from zero, and so does this tab.
   */
  private startCounting(ack: Extract<JoinAck, { ok: true }>): void {
    const carriesOn = ack.resumed === true && this.countedRun === ack.run.runId;
    this.countedRun = ack.run.runId;
    if (!carriesOn) this.set({ contribution: NO_WORK });
    this.remember();
  }

  /** The class needs a code this tab lacks, or refused the one it had: the page asks for it. */
  askForCode(message: string, refused?: string): void {
    this.set({ phase: 'code', message, refused });
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
        this.counted(task.runId, r.count);
      }
      if (r.fallback) this.switchedBackend(socket, r);
    });
  }

  /** A result the coordinator accepted: it counts for this tab as it does on its leaderboard row. */
  private counted(runId: string, samples: number): void {
    const add = (c: Counts) => ({ samples: c.samples + samples, rounds: c.rounds + 1 });
    this.set({ allRuns: add(this.snap.allRuns), ...(runId === this.countedRun && { contribution: add(this.snap.contribution) }) });
    this.remember();
  }

  /**
   * The GPU was lost and the Web Worker moved to another backend. The result is in; now join again,
   * so the coordinator shows the backend actually used and plans with its speed.
   */
  private switchedBackend(socket: WorkerSocket, r: ShardReply): void {
    this.report = { ...this.report!, chosen: r.backend, samplesPerSecond: r.fallback?.samplesPerSecond ?? this.report!.samplesPerSecond };
    this.set({ backend: r.backend, samplesPerSecond: this.reportedSpeed(), fallbacks: [...this.snap.fallbacks, r.fallback!] });
    this.rejoin(socket);
  }

  /** Leaves and joins again at once, with the resume key: the same worker, told what changed at hello. */
  private rejoin(socket: WorkerSocket): void {
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
    if (this.socket?.connected) this.rejoin(this.socket);
  }

  private async disconnected(socket: WorkerSocket, reason: Socket.DisconnectReason): Promise<void> {
    if (this.pausedByUser || this.snap.phase === 'error' || this.snap.phase === 'code') return;
    if (reason === 'io client disconnect') return; // our own doing: a rejoin or a leave
    if (reason !== 'io server disconnect') {
      console.warn(`shardgrad: connection lost: ${reason}`);
      this.set({ phase: 'connecting', message: 'Lost the connection to the class server; reconnecting…' });
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
    this.set({ phase: 'finished', message: this.lastStop ? `The class server ended the session: ${this.lastStop}.` : 'The class server ended the session.' });
  }

  private fail(e: unknown): void {
    this.set({ phase: 'error', message: (e as Error)?.message ?? String(e) });
  }

  private set(patch: Partial<TabSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const fn of this.listeners) fn(this.snap);
  }
}

/** "Testing WebGL (3 of 4)…": which backend the student is waiting for, and how many are left. */
export function calibratingMessage(p: CalibrationProgress): string {
  if (!p.testing) return p.done.length ? 'Choosing the fastest backend that computes correctly…' : 'Testing which backend computes fastest and correctly here…';
  const what = p.testing === 'cpu' ? 'CPU (the reference the others must match)' : BACKEND_LABELS[p.testing];
  return `Testing ${what}, ${p.done.length + 1} of ${p.total}…`;
}

const pickRun = (r: RunInfo) => ({ runId: r.runId, model: r.model, dataset: r.dataset, batch: r.batch });

/** A fresh, exactly sized copy: socket.io may hand us a view into a larger buffer, and we transfer it. */
function copyBytes(v: unknown): Uint8Array {
  return asBytes(v).slice();
}
