import { EventEmitter } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dataset } from '@shardgrad/data';
import type { ModelDefinition } from '@shardgrad/models';
import {
  PROTOCOL_VERSION,
  helloSchema,
  readySchema,
  type Hello,
  type RunInfo,
  type Task,
} from '@shardgrad/protocol';
import type { CoordinatorEvent } from './events.ts';
import { HttpRoutes, sendJson } from './http-routes.ts';
import { NoiseScaleMonitor } from './noise-scale-monitor.ts';
import { Readiness } from './readiness.ts';
import { CoordinatorMetrics } from './metrics.ts';
import { Round, type ShareSplit } from './round.ts';
import { RoundPace } from './round-pace.ts';
import { GradientNormGuard } from './gradient-norm-guard.ts';
import { WorkerSession, type Reply } from './worker-session.ts';
import type { TrainingState } from './training-state.ts';
import type { ResultCheck } from './validate-result.ts';
import { takeResult, type ResultDesk } from './result-intake.ts';
import { CostMeter } from './cost-meter.ts';
import { RunControl } from './run-control.ts';
import { createRunId } from '@shardgrad/runlog';
import { WorkerPool, type PoolMember } from './worker-pool.ts';
import { Admission } from './admission.ts';
import { ResumeBook, restoreRecord } from './resume-book.ts';
import type { TrainingPosition } from './training-checkpoint.ts';
import type { ResumePoint } from './resume.ts';
import type { AggregationConfig } from './aggregation.ts';
import { randomBytes } from 'node:crypto';
import type { LrScheduleView, PortLike, WorkUnit, WorkerRole } from '@shardgrad/protocol';
import { WorkerLinks, type WorkerSocket } from './worker-links.ts';
import { listenError } from './listen-error.ts';

/** Room for the msgpack framing and the small header around the gradient bytes. */
const PAYLOAD_SLACK_BYTES = 64 * 1024;

/**
 * The largest message a worker link must carry: socket.io closes a connection silently when a
 * message is bigger, so it follows the model. Weights out and gradients in must both fit, with
 * room for the indices of a batch.
 */
const messageLimit = (maxPayloadBytes: number, batch: number) => maxPayloadBytes * 2 + batch * 4 + PAYLOAD_SLACK_BYTES;

export interface CoordinatorConfig {
  def: ModelDefinition;
  dataset: Dataset;
  datasetName: string;
  datasetOptions?: Record<string, unknown>;
  modelConfig?: Record<string, unknown>;
  state: TrainingState;
  batch: number;
  seed: number;
  /** `--aggregator`: how a round's results become one update (default: the exact mean). */
  aggregation?: AggregationConfig;
  /** `--split`: shares by measured speed (default) or equal, for runs that repeat bit for bit. */
  split?: ShareSplit;
  host?: string;
  port?: number;
}


/**
 * The socket side of the coordinator: admits workers, hands out tasks for the current round and
 * checks every submission. It owns no training policy; `runTraining` drives rounds through it.
 */
export class Coordinator extends EventEmitter<{ event: [CoordinatorEvent] }> {
  /** Sortable (a timestamp first) and also the name of the run directory; a new run gets a new one. */
  runId = createRunId();
  /** Pause, stop, checkpoints, new runs: the teacher's hand on runTraining. */
  readonly control = new RunControl(() => {
    this.joinWaiters.splice(0).forEach((w) => w());
    this.abandonIfStuck();
  });
  readonly pool = new WorkerPool(() => this.runId);
  /** The coordinator's own time per round (see CostMeter); run-training reads it into each round event. */
  readonly cost = new CostMeter();
  readonly routes = new HttpRoutes();
  /** The live gradient noise scale (noise-scale-monitor.ts): `noise-scale` events and `noiseScale` in /api/status. */
  readonly noiseScale = new NoiseScaleMonitor(this);
  /** `GET /readyz` for orchestrators' readiness probes (deploy/k8s, compose health checks). */
  readonly readiness = new Readiness(this);
  /** `GET /metrics` for Prometheus scrapes (metrics.ts). */
  readonly metrics = new CoordinatorMetrics(this);
  maxPayloadBytes: number;
  url = '';
  private http: HttpServer;
  private links: WorkerLinks;
  private current: Round | undefined;
  private joinWaiters: (() => void)[] = [];
  /** Who may join and how much they may say; open (anyone on the port) until configured. */
  readonly admission = new Admission();
  private readonly resumes = new ResumeBook();
  /** What admission granted each joined worker: its role, and how to bench it if it is struck out. */
  private readonly admitted = new Map<string, { role: WorkerRole; bench: () => void }>();
  /** Runs on every well-formed result before it counts (spot checks, spot-check.ts). */
  resultCheck: ResultCheck | undefined;
  /** Where the training loop stands (runTraining keeps it); what a checkpoint records. */
  position: TrainingPosition = { step: 0, epoch: 0, offset: 0 };
  /** The learning-rate schedule of the run in progress (set by its TrainingPolicy), for the dashboard. */
  lrSchedule: LrScheduleView | undefined;
  /** The work units of the current round's tasks, by shard: what a spot check recomputes. */
  private issued = new Map<string, WorkUnit>();
  /** Set by `--resume`: the next runTraining starts here instead of at step 0. */
  resumedFrom: ResumePoint | undefined;
  /** Refuses gradients far beyond recent accepted ones, before they reach the optimizer. */
  readonly normGuard = new GradientNormGuard();
  /** How long this run's rounds take: what a shard's deadline is measured against. */
  private pace = new RoundPace();
  /** What result intake (result-intake.ts) reads of this coordinator, at each submission. */
  private readonly desk: ResultDesk = {
    pool: this.pool,
    normGuard: this.normGuard,
    resultCheck: () => this.resultCheck,
    strikeLimit: () => this.admission.maxStrikes,
    terms: () => ({
      runId: this.runId,
      schemaHash: this.config.state.schemaHash,
      specs: this.config.state.specs,
      maxPayloadBytes: this.maxPayloadBytes,
      def: this.config.def,
      trainableCount: this.config.state.trainableCount,
    }),
    round: () => this.current,
    bench: (workerId) => this.admitted.get(workerId)?.bench(),
    emit: (event) => this.emit('event', event),
  };

  constructor(public config: CoordinatorConfig) {
    super();
    this.maxPayloadBytes = config.state.parameterCount * 4 + PAYLOAD_SLACK_BYTES;
    this.http = createServer((req, res) => void this.routes.handle(req, res));
    this.links = new WorkerLinks(this.http, {
      messageLimit: messageLimit(this.maxPayloadBytes, config.batch),
      allowRequest: (req, cb) => this.admission.allowRequest(req, cb),
      admit: (conn) => this.admit(conn),
    });
    this.routes.on('GET', '/healthz', (_q, res) => sendJson(res, 200, { ok: true }));
    this.routes.on('GET', '/api/status', (_q, res) => sendJson(res, 200, this.status()));
  }

  get runInfo(): RunInfo {
    const c = this.config;
    return {
      runId: this.runId,
      model: c.def.name,
      modelConfig: c.modelConfig ?? {},
      dataset: c.datasetName,
      datasetOptions: c.datasetOptions ?? {},
      schemaHash: c.state.schemaHash,
      batch: c.batch,
      seed: c.seed,
      maxPayloadBytes: this.maxPayloadBytes,
    };
  }

  async listen(): Promise<string> {
    const host = this.config.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, host, this.config.port ?? 0)));
      this.http.listen(this.config.port ?? 0, host, () => resolve());
    });
    const port = (this.http.address() as AddressInfo).port;
    this.url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    this.emit('event', {
      type: 'listening',
      url: this.url,
      runId: this.runId,
      model: this.config.def.name,
      dataset: this.config.datasetName,
      parameters: this.config.state.parameterCount,
      maxPayloadBytes: this.maxPayloadBytes,
    });
    return this.url;
  }

  status() {
    // joinCodeRequired: a student's page asks for the code before it downloads anything.
    return { run: this.runInfo, version: this.config.state.version, workers: this.pool.views(), noiseScale: this.noiseScale.latest ?? null, joinCodeRequired: Boolean(this.admission.auth) };
  }

  /** Resolves once at least `n` workers are connected. */
  async waitForWorkers(n: number): Promise<void> {
    while (this.pool.size < n && !this.control.stopRequested) {
      this.emit('event', { type: 'waiting', needed: n, have: this.pool.size });
      await new Promise<void>((r) => this.joinWaiters.push(r));
    }
  }

  /** Runs one synchronous round over `indices` and resolves with exactly one result per shard. */
  async runRound(round: number, indices: Uint32Array, unit: { augmentSeed?: number } = {}) {
    const state = this.config.state;
    const r = new Round(round, state.version, indices, this.pool, (shardId, idx, m) => this.task(round, shardId, idx, m, unit));
    r.countMustMatchIndices = state.def.customStep?.countIsIndices ?? true;
    r.split = this.config.split ?? 'speed';
    r.pace = this.pace;
    this.current = r;
    this.cost.time(() => r.start());
    try {
      return await r.done;
    } finally {
      r.cancel();
      this.current = undefined;
      this.issued.clear();
    }
  }

  /** Another socket.io namespace on this server (the dashboard's, the class stats'). */
  of(name: string) {
    return this.links.of(name);
  }

  /**
   * Starts another run on this server (the teacher's "new run"): workers are sent the new RunInfo
   * and dropped; workers that know the `run` event join again and build the new model.
   */
  replaceRun(config: CoordinatorConfig): void {
    this.current?.cancel();
    const old = this.config.state;
    this.config = { ...config, host: this.config.host, port: this.config.port, aggregation: config.aggregation ?? this.config.aggregation };
    this.runId = createRunId();
    this.position = { step: 0, epoch: 0, offset: 0 };
    this.resumedFrom = undefined;
    this.normGuard.reset();
    this.pace = new RoundPace();
    this.maxPayloadBytes = config.state.parameterCount * 4 + PAYLOAD_SLACK_BYTES;
    // The message limit follows the model, as in the constructor.
    this.links.raiseMessageLimit(messageLimit(this.maxPayloadBytes, config.batch));
    this.links.emit('run', this.runInfo);
    this.links.disconnectAll(false);
    // Its run was recorded and evaluated before this (runSession): nothing reads its model again.
    if (old !== config.state) old.dispose();
  }

  broadcastStop(reason: string): void {
    this.links.emit('stop', reason);
  }

  /** Admits a worker thread of this process over a message port: the same protocol and checks as a socket. */
  attachPort(port: PortLike): void {
    this.links.attachPort(port);
  }

  async close(): Promise<void> {
    this.current?.cancel();
    this.links.disconnectAll(true);
    await this.links.close();
    this.http.closeAllConnections?.();
  }

  private task(round: number, shardId: number, indices: Uint32Array, m: PoolMember, unit: { augmentSeed?: number } = {}): Task {
    const state = this.config.state;
    const task: Task = {
      runId: this.runId,
      round,
      version: state.version,
      shardId,
      unit: { kind: 'samples', split: 'train', indices, ...unit },
    };
    if (m.version !== state.version) {
      task.weights = state.encodedWeights();
      m.version = state.version;
    }
    this.issued.set(`${round}/${shardId}`, task.unit);
    return task;
  }

  private admit(socket: WorkerSocket): void {
    let workerId: string | undefined;
    let nickname: string | undefined;
    let member: PoolMember | undefined;
    let join: JoinedAs | undefined;
    new WorkerSession(
      socket,
      {
        hello: (raw, reply) => {
          const admitted = this.onHello(socket, raw, reply);
          if (admitted) ({ workerId, nickname } = join = admitted);
          return admitted !== undefined;
        },
        ready: (raw) => (member = this.onReady(socket, join!, raw)),
        result: (header, payload, reply) => this.onResult(member!, header, payload, reply),
        // Silence ends a connection at the door (no worker yet); a flood is refused like a submission.
        dropped: (reason, message) =>
          this.emit(
            'event',
            reason === 'timed-out' ? { type: 'worker-refused', address: socket.handshake.address, nickname, reason, message } : { type: 'rejected', workerId: workerId ?? socket.id, nickname, reason, message },
          ),
      },
      { limiter: this.admission.controlLimiter(), readyTimeoutMs: this.admission.readyTimeoutMs },
    );
    // Gone between hello and ready (a ready timeout, a reconnect storm): the role it was given goes too.
    socket.once('disconnect', () => {
      if (workerId && !member && !this.pool.get(workerId)) this.admitted.delete(workerId);
    });
  }

  /** A hello: the worker's identity if it is admitted; refused, it has been answered and dropped. */
  private onHello(socket: WorkerSocket, raw: unknown, answer: Reply): JoinedAs | undefined {
    const hello = helloSchema.safeParse(raw);
    // An operator needs to see who was turned away and why, not only the worker.
    const reply = (r: { ok: boolean; reason?: string; message?: string } & Record<string, unknown>) => {
      if (!r.ok) {
        const nickname = hello.success ? hello.data.nickname : undefined;
        this.emit('event', { type: 'worker-refused', address: socket.handshake.address, nickname, reason: r.reason ?? 'refused', message: r.message ?? '' });
      }
      answer(r);
    };
    if (!hello.success) {
      const issue = hello.error.issues[0];
      reply({ ok: false, reason: 'malformed', message: `bad hello: ${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message}` });
      socket.disconnect(true);
      return undefined;
    }
    if (hello.data.protocol !== PROTOCOL_VERSION) {
      reply({ ok: false, reason: 'protocol-version', message: `protocol ${hello.data.protocol}, coordinator speaks ${PROTOCOL_VERSION}` });
      socket.disconnect(true);
      return undefined;
    }
    // A worker back after a drop: the same id, role and record (resume-book.ts).
    const holder = this.resumes.liveHolder(hello.data.resume);
    if (holder) this.pool.get(holder)?.disconnect('replaced by a resumed connection');
    const back = this.resumes.take(hello.data.resume);
    const verdict = this.admission.admit(hello.data, socket.handshake.address, back?.role);
    if (!verdict.ok) {
      if (back) this.resumes.left(back.member, back.role);
      reply({ ok: false, reason: verdict.reason, message: verdict.message });
      socket.disconnect(true);
      return undefined;
    }
    socket.once('disconnect', verdict.release);
    // Dropped again before 'ready' (a reconnect storm): keep its place for the next try.
    if (back) socket.once('disconnect', () => this.pool.get(back.member.id) || this.resumes.left(back.member, back.role));
    const workerId = back?.member.id ?? `w-${randomBytes(5).toString('hex')}`;
    this.admitted.set(workerId, { role: verdict.role, bench: verdict.bench });
    reply({ ok: true, workerId, run: this.runInfo, resumeKey: this.resumes.issue(workerId), role: verdict.role, resumed: Boolean(back) });
    return { workerId, nickname: hello.data.nickname, hello: hello.data, back: back?.member };
  }

  /** Tasks only go out after 'ready': model building and data loading must not count as compute time. */
  private onReady(socket: WorkerSocket, join: JoinedAs, raw: unknown): PoolMember {
    const { hello, back, workerId } = join;
    // A speed that is no number of samples per second is not believed; the hello's (or its peers') stands.
    const ready = readySchema.safeParse(raw ?? {});
    const member = this.pool.add({
      id: workerId,
      kind: hello.kind,
      backend: hello.backend,
      nickname: hello.nickname,
      threads: hello.threads,
      compress: hello.compress,
      runId: this.runId,
      speed: (ready.success ? ready.data.samplesPerSecond : undefined) ?? hello.samplesPerSecond,
      send: (ev, payload) => socket.emit(ev as 'task', payload as Task),
      disconnect: (reason) => {
        socket.emit('stop', reason);
        socket.disconnect(true);
      },
    });
    socket.on('disconnect', (why: string) => this.onGone(member, why));
    if (back) restoreRecord(member, back);
    this.emit('event', { type: 'worker-joined', worker: this.pool.views().find((v) => v.id === member.id)! });
    this.joinWaiters.splice(0).forEach((w) => w());
    this.current?.workerJoined();
    return member;
  }

  /** The work unit shard `shardId` of `round` was sent with, while that round runs. */
  issuedUnit(round: number, shardId: number): WorkUnit | undefined {
    return this.issued.get(`${round}/${shardId}`);
  }

  /** The role the worker joined with: 'worker' (worker token), 'student' (join code) or 'open'. */
  roleOf(workerId: string): WorkerRole | undefined {
    return this.admitted.get(workerId)?.role;
  }

  private onGone(member: PoolMember, why: string): void {
    if (this.pool.get(member.id) !== member) return;
    this.pool.remove(member.id);
    const role = this.admitted.get(member.id)?.role;
    this.admitted.delete(member.id);
    if (role && !member.struckOut) this.resumes.left(member, role);
    const hadWork = member.busy > 0;
    this.current?.workerGone(member.id);
    this.emit('event', { type: 'worker-left', workerId: member.id, nickname: member.nickname, reason: why, reassigned: hadWork });
    this.abandonIfStuck();
  }

  /** A stop with the round's workers all gone: nobody can finish it, so it ends unfinished (Round.abandon). */
  private abandonIfStuck(): void {
    if (this.control.stopRequested && this.pool.size === 0) this.current?.abandon();
  }

  private onResult(member: PoolMember, rawHeader: unknown, payload: unknown, rawAck: unknown): void {
    this.cost.time(() => takeResult(this.desk, member, rawHeader, payload, rawAck));
  }
}

/** What an admitted hello made of a connection, until its ready makes it a pool member. */
interface JoinedAs {
  workerId: string;
  nickname?: string;
  hello: Hello;
  /** Its earlier record, when it resumed. */
  back?: PoolMember;
}
