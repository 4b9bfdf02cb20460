import { ANNOUNCED_SPEED_RANGE, type CompressMode, type ResultEncoding, type WorkerKind, type WorkerView } from '@shardgrad/protocol';
import { SpeedModel } from './speed-model.ts';

/** Smoothing of the overhead estimate: recent rounds dominate, one noisy round does not. */
const EMA = 0.3;
/** A compute time below this is timer noise, not a measurement of speed. */
const MIN_COMPUTE_MS = 0.05;
/**
 * An announced speed is believed within this factor of its measured peers' median: enough for a
 * GPU among laptops, not for a claim that would hand one newcomer the batch, or a sample with a
 * deadline of hours. Its first result replaces the claim with a measurement.
 */
export const ANNOUNCED_SPREAD = 100;
/** Unanswered tasks remembered per worker (a worker that never answers must not grow the book). */
const MAX_OUTSTANDING = 64;

export interface PoolMember {
  id: string;
  kind: WorkerKind;
  backend: string;
  nickname?: string;
  threads?: number;
  /**
   * Estimated compute throughput, samples per second at the margin (speed-model.ts): from the
   * worker's own compute timings, so with neither the wait in its queue nor the transfer cost in it
   * (that is `overheadMs`), nor its fixed cost per call (`fixedMs`).
   */
  speed: number;
  /** Fixed compute cost per shard, ms: op dispatch, kernel launches, a GPU's read-back. */
  fixedMs: number;
  speedMeasured: boolean;
  /** Per-task cost beyond compute (weights and gradients over the wire, decoding, validation), ms. */
  overheadMs: number;
  /** When the work it has been given should be done (Date.now() clock), judged by the estimates. */
  busyUntil: number;
  /** The weights version this worker holds (or will, once its queued task arrives). */
  version: number;
  busy: number;
  rounds: number;
  samples: number;
  /** Submissions refused for a fault of the worker's (late copies of reassigned shards are not faults). */
  errors: number;
  /** Every refusal by reason, the harmless ones included. */
  rejects: Record<string, number>;
  /** Dropped for too many refused submissions (its `errors` are its strikes). */
  struckOut?: boolean;
  /** A spot check caught it returning a gradient that is not the shard's. */
  flagged?: boolean;
  /** Its `--compress` choice from hello; the encoding and bytes of its last accepted result. */
  compress?: CompressMode;
  encoding?: ResultEncoding;
  resultBytes?: number;
  /** Fraction of the last round's batch planned for it. */
  share: number;
  lastSeen: number;
  joinedAt: number;
  /** The run it joined: a worker that left an earlier run is not part of this one's views and totals. */
  runId?: string;
  send: (event: 'task', payload: unknown) => void;
  disconnect: (reason: string) => void;
}

export type NewMember = Pick<PoolMember, 'id' | 'kind' | 'backend' | 'nickname' | 'threads' | 'compress' | 'runId' | 'send' | 'disconnect'> & {
  /** The worker's own estimate (a calibration); otherwise it starts at its peers' median. */
  speed?: number;
};

/** Refusals that say the coordinator no longer needed the work, not that the worker did it wrong. */
const HARMLESS_REJECTS = new Set(['duplicate', 'stale-round']);

/** The live set of workers and what the coordinator knows of each; pure bookkeeping, no sockets. */
export class WorkerPool {
  /** `currentRun`: the run now training (the coordinator's runId); views and `departed` list only those who left it. */
  constructor(private readonly currentRun: () => string | undefined = () => undefined) {}

  private members = new Map<string, PoolMember>();
  private gone: PoolMember[] = [];
  private models = new WeakMap<PoolMember, SpeedModel>();
  private overheadMeasured = new WeakSet<PoolMember>();
  /** Tasks sent to each worker and not yet answered: task key → the samples it was given. */
  private outstanding = new WeakMap<PoolMember, Map<string, number>>();

  add(m: NewMember): PoolMember {
    const member: PoolMember = {
      ...m,
      speed: this.believable(m.speed),
      fixedMs: 0,
      speedMeasured: false,
      overheadMs: this.typicalOverhead(),
      busyUntil: 0,
      version: -1,
      busy: 0,
      rounds: 0,
      samples: 0,
      errors: 0,
      rejects: {},
      share: 0,
      lastSeen: Date.now(),
      joinedAt: Date.now(),
    };
    this.members.set(m.id, member);
    // Back under its old id (a resume): live again, so no longer listed as gone.
    this.gone = this.gone.filter((g) => g.id !== m.id);
    this.models.set(member, new SpeedModel(member.speed));
    return member;
  }

  remove(id: string): PoolMember | undefined {
    const m = this.members.get(id);
    if (m) {
      this.members.delete(id);
      this.gone.push(m);
      if (this.gone.length > 200) this.gone.shift();
    }
    return m;
  }

  /** Workers that left the current run, most recent last. */
  departed(): PoolMember[] {
    const run = this.currentRun();
    return this.gone.filter((m) => m.runId === run);
  }

  get(id: string): PoolMember | undefined {
    return this.members.get(id);
  }

  list(): PoolMember[] {
    return [...this.members.values()];
  }

  get size(): number {
    return this.members.size;
  }

  /** A newcomer without a measurement is assumed as fast as the median of its peers. */
  typicalSpeed(): number {
    return this.measuredMedian() ?? 1000;
  }

  private measuredMedian(): number | undefined {
    return median(this.list().filter((m) => m.speedMeasured).map((m) => m.speed));
  }

  /** A speed a newcomer announced, as far as it can be believed before it is measured. */
  private believable(announced: number | undefined): number {
    if (announced === undefined || !(announced > 0)) return this.typicalSpeed();
    const peers = this.measuredMedian();
    const lo = Math.max(ANNOUNCED_SPEED_RANGE.min, peers === undefined ? 0 : peers / ANNOUNCED_SPREAD);
    const hi = Math.min(ANNOUNCED_SPEED_RANGE.max, peers === undefined ? Infinity : peers * ANNOUNCED_SPREAD);
    return Math.min(hi, Math.max(lo, announced));
  }

  /** A task went out to `m`: `key` names it (round, version, shard), `samples` is its size. */
  assigned(m: PoolMember, key: string, samples: number): void {
    let book = this.outstanding.get(m);
    if (!book) this.outstanding.set(m, (book = new Map()));
    book.set(key, samples);
    if (book.size > MAX_OUTSTANDING) book.delete(book.keys().next().value!);
  }

  /**
   * The task is answered or taken back: the samples it was given, or undefined if `m` had no such
   * task outstanding (a header may name anything; only what was handed out counts).
   */
  settle(m: PoolMember, key: string): number | undefined {
    const book = this.outstanding.get(m);
    const samples = book?.get(key);
    book?.delete(key);
    return samples;
  }

  typicalOverhead(): number {
    return median(this.list().filter((m) => this.overheadMeasured.has(m)).map((m) => m.overheadMs)) ?? 0;
  }

  /** A finished shard: `samples` computed in `computeMs` as the worker timed it. */
  recordCompute(m: PoolMember, samples: number, computeMs: number): void {
    this.model(m).add(samples, Math.max(MIN_COMPUTE_MS, computeMs));
    this.sync(m);
  }

  /** Round trip minus compute, for a task that found the worker idle (so no queueing in it). */
  recordOverhead(m: PoolMember, ms: number): void {
    if (!Number.isFinite(ms)) return;
    const v = Math.max(0, ms);
    m.overheadMs = this.overheadMeasured.has(m) ? (1 - EMA) * m.overheadMs + EMA * v : v;
    this.overheadMeasured.add(m);
  }

  /**
   * A shard still not back after `elapsedMs` of compute: the model must predict at least that, so
   * the worker's next share shrinks in the very next round.
   */
  lateBy(m: PoolMember, samples: number, elapsedMs: number): void {
    this.model(m).atLeast(samples, elapsedMs);
    this.sync(m);
  }

  /** What `samples` should take it to compute, ms. */
  predictMs(m: PoolMember, samples: number): number {
    return this.model(m).predictMs(samples);
  }

  /** Books a task on the worker's timeline and returns when it should be back. */
  schedule(m: PoolMember, samples: number, now = Date.now()): number {
    m.busyUntil = now + this.readyInMs(m, now) + m.overheadMs + this.predictMs(m, samples);
    return m.busyUntil;
  }

  /** A result came back; with nothing else outstanding the worker is free now. */
  released(m: PoolMember, now = Date.now()): void {
    m.busy = Math.max(0, m.busy - 1);
    if (m.busy === 0) m.busyUntil = now;
  }

  /**
   * How long until the worker could start on new work. Past its expected time, a busy worker is
   * assumed to need about as long again as it is already late: a stalled tab gets little or nothing.
   */
  readyInMs(m: PoolMember, now = Date.now()): number {
    if (m.busy === 0) return 0;
    return Math.abs(m.busyUntil - now);
  }

  private model(m: PoolMember): SpeedModel {
    let model = this.models.get(m);
    if (!model) this.models.set(m, (model = new SpeedModel(m.speed)));
    return model;
  }

  private sync(m: PoolMember): void {
    const model = this.model(m);
    m.speed = model.speed;
    m.fixedMs = model.fixedMs;
    m.speedMeasured = model.measured;
  }

  reject(m: PoolMember, reason: string): void {
    if (!HARMLESS_REJECTS.has(reason)) m.errors++;
    m.rejects[reason] = (m.rejects[reason] ?? 0) + 1;
  }

  views(): WorkerView[] {
    const live = this.list().map((m) => view(m, m.busy > 0 ? 'busy' : 'idle'));
    return [...live, ...this.departed().slice(-20).map((m) => view(m, 'gone'))];
  }

  liveViews(): WorkerView[] {
    return this.list().map((m) => view(m, m.busy > 0 ? 'busy' : 'idle'));
  }
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function view(m: PoolMember, status: WorkerView['status']): WorkerView {
  return {
    id: m.id,
    kind: m.kind,
    backend: m.backend,
    nickname: m.nickname,
    threads: m.threads,
    samplesPerSecond: Math.round(m.speed),
    fixedMs: Math.round(m.fixedMs * 10) / 10,
    share: m.share,
    rounds: m.rounds,
    samples: m.samples,
    errors: m.errors,
    rejects: { ...m.rejects },
    ...(m.flagged && { flagged: true }),
    ...(m.compress && { compress: m.compress }),
    ...(m.encoding && { encoding: m.encoding, resultBytes: m.resultBytes }),
    lastSeen: m.lastSeen,
    status,
  };
}
