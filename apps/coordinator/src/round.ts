import type { Task } from '@shardgrad/protocol';
import type { TensorData } from '@shardgrad/codec';
import type { WeightedGradients } from '@shardgrad/trainer';
import { splitByWeights } from '@shardgrad/data';
import { planShares } from './plan-shares.ts';
import { RoundPace } from './round-pace.ts';
import { shardDeadlineMs } from './shard-deadline.ts';
import type { PoolMember, WorkerPool } from './worker-pool.ts';

export { DEADLINE_FACTOR, DEADLINE_FLOOR_MS } from './shard-deadline.ts';
/** Every this many rounds, idle workers the plan leaves out get one sample, to be measured again. */
export const PROBE_EVERY = 10;

interface Assignment {
  sentAt: number;
  /** What its worker's model predicted it to take, ms (queue and overhead included). */
  predictedMs: number;
  /** Past this, the shard is late and idle workers may take copies of it. */
  lateAt: number;
  late: boolean;
  /** Sent to an idle worker: its round trip has no queueing in it, so it measures the overhead. */
  measuresOverhead: boolean;
}

interface Shard {
  id: number;
  indices: Uint32Array;
  assigned: Map<string, Assignment>;
  result?: { grads: TensorData[]; sumSquares?: number[]; count: number; loss: number; metrics: Record<string, number>; workerId: string };
  /** Everyone it was ever sent to: a result from one of them is a copy (a resend), never a stray. */
  given?: Set<string>;
}

export interface ShardResult {
  grads: TensorData[];
  /** Σ g² per tensor, from the coordinator's checks. */
  sumSquares?: number[];
  count: number;
  loss: number;
  metrics: Record<string, number>;
  /** The worker's own timing of the compute; without it the round trip stands in for it. */
  computeMs?: number;
}

export interface RoundOutcome {
  parts: WeightedGradients[];
  loss: number;
  metrics: Record<string, number>;
  samples: number;
  reassigned: number;
  shards: { workerId: string; count: number }[];
  /** Given up (abandon): the run stopped with nobody left to compute its open shards. No results. */
  abandoned?: boolean;
}

/** How a round's batch is shared out: by measured speed (default), or in equal parts. */
export const SHARE_SPLITS = ['speed', 'equal'] as const;
export type ShareSplit = (typeof SHARE_SPLITS)[number];

export type AcceptVerdict = { ok: true } | { ok: false; reason: 'unknown-shard' | 'duplicate' | 'stale-round' | 'wrong-count'; message: string };

/** Names a task across rounds: what the pool books as outstanding, and a late result is matched with. */
export const taskKey = (round: number, version: number, shardId: number) => `${round}/${version}/${shardId}`;

/**
 * One synchronous round: split the batch by measured compute speed so that every worker should
 * finish together, hand out shards, collect exactly one result per shard.
 * A shard whose worker leaves, or that runs past its deadline, is sent again to an idle worker;
 * whichever copy arrives first counts and the other is refused as a duplicate, so every sample of
 * the batch counts exactly once.
 */
export class Round {
  private shards: Shard[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private resolve!: (o: RoundOutcome) => void;
  private reassignedCount = 0;
  private startedAt = 0;
  /** A shard went past its deadline: the round's duration says more about that worker than about the run. */
  private wentLate = false;
  /** Workers whose submissions this round were refused: the last to be trusted with more of it. */
  private failed = new Set<string>();
  readonly done: Promise<RoundOutcome>;
  /** False for work units weighted by something else than their indices (episodes by timesteps). */
  countMustMatchIndices = true;
  /**
   * `--split equal`: every live worker gets the same share whatever its speed, so the shards (and with
   * them the order of the float sums) do not depend on timing, and a rerun repeats a run bit for bit.
   */
  split: ShareSplit = 'speed';
  /** How long this run's rounds take (the coordinator keeps one across rounds): the deadlines' reference. */
  pace = new RoundPace();

  constructor(
    readonly round: number,
    readonly version: number,
    private readonly indices: Uint32Array,
    private readonly pool: WorkerPool,
    private readonly makeTask: (shardId: number, indices: Uint32Array, member: PoolMember) => Task,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
  }

  /** Splits among the live workers; with none live, waits for workerJoined. */
  start(): void {
    const members = this.pool.list();
    if (members.length === 0) return;
    const now = Date.now();
    this.startedAt = now;
    // Shares by compute speed, so that all should finish together: a fixed cost per call, or work
    // still in hand, counts against a worker's share. The per-task transfer overhead stays out:
    // measured as round trip minus compute, it also holds time spent waiting on workers that share
    // the machine, and would feed one worker's share into another's estimate.
    const sizes =
      this.split === 'equal'
        ? splitByWeights(this.indices.length, members.map(() => 1))
        : planShares(
            this.indices.length,
            members.map((m) => ({ speed: m.speed, latencyMs: m.fixedMs + this.pool.readyInMs(m, now), busy: m.busy > 0 })),
            { probe: this.round % PROBE_EVERY === 0 },
          );
    let off = 0;
    members.forEach((m, i) => {
      const n = sizes[i]!;
      m.share = n / this.indices.length;
      if (n === 0) return;
      const shard: Shard = { id: this.shards.length, indices: this.indices.subarray(off, off + n), assigned: new Map() };
      off += n;
      this.shards.push(shard);
      this.send(shard, m, false, false);
    });
    // Timed once every shard is out: sent one after another, each could only compare with those before it.
    const peers = this.measuredPeers();
    for (const s of this.shards) for (const [id, a] of s.assigned) a.lateAt = a.sentAt + shardDeadlineMs(a.predictedMs, this.referenceMs(id, peers));
    this.armDeadline();
  }

  get outstanding(): number {
    return this.shards.filter((s) => !s.result).length;
  }

  accept(member: PoolMember, shardId: number, result: ShardResult): AcceptVerdict {
    const shard = this.shards[shardId];
    if (!shard || !shard.assigned.has(member.id)) {
      // Taken from it (it dropped and came back) or already answered by it: a late copy, not a fault.
      if (shard?.given?.has(member.id)) return this.acceptCopy(member, shard, result);
      return { ok: false, reason: 'unknown-shard', message: `shard ${shardId} of round ${this.round} was not given to this worker` };
    }
    const now = Date.now();
    const a = shard.assigned.get(member.id)!;
    shard.assigned.delete(member.id);
    this.pool.settle(member, taskKey(this.round, this.version, shard.id));
    this.pool.released(member, now);
    const wrongCount = this.countMismatch(shard, result);
    if (wrongCount) return wrongCount;
    // Even a duplicate is a true measurement of this worker. Speed is in the unit the plan schedules,
    // indices: a result's count may be timesteps (episodes), and indices per second measured as
    // timesteps per second made every episode shard look late, so idle workers replayed each other's.
    const roundTrip = now - a.sentAt;
    if (result.computeMs !== undefined) {
      this.pool.recordCompute(member, shard.indices.length, result.computeMs);
      if (a.measuresOverhead) this.pool.recordOverhead(member, roundTrip - result.computeMs);
    } else if (a.measuresOverhead) {
      this.pool.recordCompute(member, shard.indices.length, roundTrip);
    }
    return this.take(member, shard, result);
  }

  /** A result for a shard this worker no longer holds: counted if the shard is still open (first wins). */
  private acceptCopy(member: PoolMember, shard: Shard, result: ShardResult): AcceptVerdict {
    if (shard.result) return duplicate(shard);
    return this.countMismatch(shard, result) ?? this.take(member, shard, result);
  }

  private countMismatch(shard: Shard, result: ShardResult): AcceptVerdict | undefined {
    if (!this.countMustMatchIndices || result.count === shard.indices.length) return undefined;
    return { ok: false, reason: 'wrong-count', message: `shard ${shard.id} has ${shard.indices.length} samples, result claims ${result.count}` };
  }

  /** The shard's first result counts, and the round moves on: finished, or idle workers take the open shards. */
  private take(member: PoolMember, shard: Shard, result: ShardResult): AcceptVerdict {
    if (shard.result) return duplicate(shard);
    // A round a worker contributed to counts once, however many shards (its own, copies of late ones) it answered.
    if (!this.shards.some((s) => s.result?.workerId === member.id)) member.rounds++;
    shard.result = { ...result, workerId: member.id };
    member.samples += result.count;
    if (this.outstanding === 0) this.finish();
    else this.reassign();
    return { ok: true };
  }

  /** A worker left: its open shards go to whoever is idle (or the next to join). */
  workerGone(memberId: string): void {
    for (const s of this.shards) s.assigned.delete(memberId);
    this.reassign();
  }

  /** A worker's submission was refused: its open shards here are redone elsewhere. */
  workerFailed(member: PoolMember): void {
    this.failed.add(member.id);
    for (const s of this.shards) {
      if (s.result || !s.assigned.delete(member.id)) continue;
      this.pool.settle(member, taskKey(this.round, this.version, s.id));
      this.pool.released(member);
    }
    this.reassign();
  }

  workerJoined(): void {
    if (this.shards.length === 0) {
      this.start();
      return;
    }
    this.reassign();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * Ends the round without its results: for a run that is stopping while nobody is left to compute
   * the open shards, which would otherwise wait for the next worker to join, and the stop with them.
   */
  abandon(): void {
    this.cancel();
    this.resolve({ parts: [], loss: NaN, metrics: {}, samples: 0, reassigned: this.reassignedCount, shards: [], abandoned: true });
  }

  /**
   * Gives each orphaned shard (nobody computing it) to the fastest idle worker, or queues it on the
   * fastest live one; gives each late shard (every copy of it past its deadline) to an idle worker.
   * A worker refused this round only gets work when nobody else is there to take it.
   */
  private reassign(): void {
    for (const s of this.shards) {
      if (s.result) continue;
      const orphan = s.assigned.size === 0;
      const late = !orphan && [...s.assigned.values()].every((a) => a.late);
      if (!orphan && !late) continue;
      const free = this.pool.list().filter((m) => !s.assigned.has(m.id));
      const trusted = free.filter((m) => !this.failed.has(m.id));
      const others = (trusted.length ? trusted : free).sort((a, b) => b.speed - a.speed);
      const idle = others.find((m) => m.busy === 0);
      const target = idle ?? (orphan ? others[0] : undefined);
      if (target) this.send(s, target, true);
    }
    this.armDeadline();
  }

  /** `timed`: its deadline is set now; start sets those of the round's first shards once all are out. */
  private send(shard: Shard, m: PoolMember, reassigned = false, timed = true): void {
    const now = Date.now();
    const predictedMs = this.pool.schedule(m, shard.indices.length, now) - now;
    shard.assigned.set(m.id, {
      sentAt: now,
      predictedMs,
      lateAt: timed ? now + shardDeadlineMs(predictedMs, this.referenceMs(m.id)) : Infinity,
      late: false,
      measuresOverhead: m.busy === 0,
    });
    this.pool.assigned(m, taskKey(this.round, this.version, shard.id), shard.indices.length);
    m.busy++;
    (shard.given ??= new Set()).add(m.id);
    if (reassigned) this.reassignedCount++;
    m.send('task', this.makeTask(shard.id, shard.indices, m));
  }

  /**
   * What a shard of `memberId`'s is measured against: the median predicted time of the open shards
   * of the other, measured, workers, or recent on-time rounds, whichever is longer. The worker's own
   * estimate stays out: a worker announcing a crawl must not set its own deadline.
   */
  private referenceMs(memberId: string, peers = this.measuredPeers()): number | undefined {
    const others = peers.filter((p) => p.id !== memberId);
    const fromPeers = others.length ? others[others.length >> 1]!.predictedMs : undefined;
    const fromPace = this.pace.typicalMs();
    if (fromPeers === undefined) return fromPace;
    return fromPace === undefined ? fromPeers : Math.max(fromPeers, fromPace);
  }

  /** The open assignments of measured workers, by predicted time: what deadlines are measured against. */
  private measuredPeers(): { id: string; predictedMs: number }[] {
    const peers: { id: string; predictedMs: number }[] = [];
    for (const s of this.shards) {
      if (s.result) continue;
      for (const [id, a] of s.assigned) if (this.pool.get(id)?.speedMeasured) peers.push({ id, predictedMs: a.predictedMs });
    }
    return peers.sort((a, b) => a.predictedMs - b.predictedMs);
  }

  /** Wakes at the next deadline among open assignments. */
  private armDeadline(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let next = Infinity;
    for (const s of this.shards) {
      if (s.result) continue;
      for (const a of s.assigned.values()) if (!a.late) next = Math.min(next, a.lateAt);
    }
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.onDeadline(), Math.max(0, next - Date.now()));
    this.timer.unref?.();
  }

  private onDeadline(): void {
    const now = Date.now();
    for (const s of this.shards) {
      if (s.result) continue;
      for (const [id, a] of s.assigned) {
        if (a.late || a.lateAt > now) continue;
        a.late = true;
        this.wentLate = true;
        const m = this.pool.get(id);
        // Sent to it idle, it has been computing for about this long already: the model must allow that.
        if (m && a.measuresOverhead) this.pool.lateBy(m, s.indices.length, now - a.sentAt - m.overheadMs);
      }
    }
    this.reassign();
  }

  private finish(): void {
    this.cancel();
    if (!this.wentLate && this.reassignedCount === 0) this.pace.record(Date.now() - this.startedAt);
    const results = this.shards.map((s) => s.result!);
    const samples = results.reduce((a, r) => a + r.count, 0);
    this.resolve({
      parts: results.map((r) => ({ grads: r.grads, count: r.count, sumSquares: r.sumSquares })),
      loss: results.reduce((a, r) => a + r.loss * r.count, 0) / samples,
      metrics: meanMetrics(results),
      samples,
      reassigned: this.reassignedCount,
      shards: results.map((r) => ({ workerId: r.workerId, count: r.count })),
    });
  }
}

const duplicate = (shard: Shard): AcceptVerdict => ({ ok: false, reason: 'duplicate', message: `shard ${shard.id} already has a result` });

/**
 * Each metric's sample-weighted mean over the results that report it. A result without one (a
 * model whose results carry no fixed set) leaves that metric to the others rather than making it NaN.
 */
function meanMetrics(results: readonly { metrics: Record<string, number>; count: number }[]): Record<string, number> {
  const sums = new Map<string, { value: number; count: number }>();
  for (const r of results) {
    for (const [k, v] of Object.entries(r.metrics)) {
      const s = sums.get(k) ?? { value: 0, count: 0 };
      s.value += v * r.count;
      s.count += r.count;
      sums.set(k, s);
    }
  }
  return Object.fromEntries([...sums].map(([k, s]) => [k, s.value / s.count]));
}
