import { splitByWeights } from '@shardgrad/data';
import type { Task } from '@shardgrad/protocol';
import type { TensorData } from '@shardgrad/codec';
import type { WeightedGradients } from '@shardgrad/trainer';
import type { PoolMember, WorkerPool } from './worker-pool.ts';

/** A round may overrun its estimate by this factor before idle workers take copies of late shards. */
export const DEADLINE_FACTOR = 1.5;
/** Floor for the deadline: below this, network jitter alone would trigger needless copies. */
export const DEADLINE_FLOOR_MS = 250;

interface Assignment {
  sentAt: number;
  /** Only a task sent to an idle worker measures its speed; a queued one also measures the queue. */
  measuresSpeed: boolean;
}

interface Shard {
  id: number;
  indices: Uint32Array;
  assigned: Map<string, Assignment>;
  result?: { grads: TensorData[]; count: number; loss: number; metrics: Record<string, number>; workerId: string };
}

export interface RoundOutcome {
  parts: WeightedGradients[];
  loss: number;
  metrics: Record<string, number>;
  samples: number;
  reassigned: number;
  shards: { workerId: string; count: number }[];
}

export type AcceptVerdict = { ok: true } | { ok: false; reason: 'unknown-shard' | 'duplicate' | 'stale-round'; message: string };

/**
 * One synchronous round: split the batch by measured speed, hand out shards, collect exactly one
 * result per shard. A shard whose worker leaves, or runs past the deadline, is sent again to an idle
 * worker; whichever copy arrives first counts and the other is refused as a duplicate, so every
 * sample counts exactly once.
 */
export class Round {
  private shards: Shard[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private resolve!: (o: RoundOutcome) => void;
  private reassignedCount = 0;
  /** Set once the deadline passes: from then on idle workers take copies of late shards. */
  private overdue = false;
  readonly done: Promise<RoundOutcome>;

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
    const sizes = splitByWeights(this.indices.length, members.map((m) => m.speed));
    let off = 0;
    members.forEach((m, i) => {
      const n = sizes[i]!;
      m.share = n / this.indices.length;
      if (n === 0) return;
      const shard: Shard = { id: this.shards.length, indices: this.indices.subarray(off, off + n), assigned: new Map() };
      off += n;
      this.shards.push(shard);
      this.send(shard, m);
    });
    this.armDeadline();
  }

  get outstanding(): number {
    return this.shards.filter((s) => !s.result).length;
  }

  accept(
    member: PoolMember,
    shardId: number,
    result: { grads: TensorData[]; count: number; loss: number; metrics: Record<string, number> },
  ): AcceptVerdict {
    const shard = this.shards[shardId];
    if (!shard || !shard.assigned.has(member.id)) {
      return { ok: false, reason: 'unknown-shard', message: `shard ${shardId} of round ${this.round} was not given to this worker` };
    }
    const a = shard.assigned.get(member.id)!;
    shard.assigned.delete(member.id);
    member.busy = Math.max(0, member.busy - 1);
    if (a.measuresSpeed) this.pool.recordSpeed(member, shard.indices.length / Math.max(1, Date.now() - a.sentAt) * 1000);
    if (shard.result) return { ok: false, reason: 'duplicate', message: `shard ${shardId} already has a result` };
    if (result.count !== shard.indices.length) {
      return { ok: false, reason: 'unknown-shard', message: `shard ${shardId} has ${shard.indices.length} samples, result claims ${result.count}` };
    }
    shard.result = { ...result, workerId: member.id };
    member.rounds++;
    member.samples += result.count;
    this.reassign();
    if (this.outstanding === 0) this.finish();
    return { ok: true };
  }

  /** A worker left: its open shards go to whoever is idle (or the next to join). */
  workerGone(memberId: string): void {
    for (const s of this.shards) s.assigned.delete(memberId);
    this.reassign();
  }

  /** A worker's submission was refused: its open shards here are redone elsewhere. */
  workerFailed(member: PoolMember): void {
    for (const s of this.shards) if (!s.result && s.assigned.delete(member.id)) member.busy = Math.max(0, member.busy - 1);
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
   * Gives each orphaned shard (nobody computing it) to the fastest idle worker, or queues it on the
   * fastest live one. Once the deadline has passed, idle workers also take copies of late shards.
   */
  private reassign(): void {
    for (const s of this.shards) {
      if (s.result) continue;
      const orphan = s.assigned.size === 0;
      if (!orphan && !this.overdue) continue;
      const others = this.pool.list().filter((m) => !s.assigned.has(m.id)).sort((a, b) => b.speed - a.speed);
      const idle = others.find((m) => m.busy === 0);
      const target = idle ?? (orphan ? others[0] : undefined);
      if (target) this.send(s, target, true);
    }
  }

  private send(shard: Shard, m: PoolMember, reassigned = false): void {
    shard.assigned.set(m.id, { sentAt: Date.now(), measuresSpeed: m.busy === 0 });
    m.busy++;
    if (reassigned) this.reassignedCount++;
    m.send('task', this.makeTask(shard.id, shard.indices, m));
  }

  /** The deadline is what the slowest worker should need at its estimated speed, with slack. */
  private armDeadline(): void {
    if (this.timer) clearTimeout(this.timer);
    let expected = 0;
    for (const s of this.shards) {
      if (s.result) continue;
      for (const id of s.assigned.keys()) {
        const m = this.pool.get(id);
        if (m) expected = Math.max(expected, (s.indices.length / m.speed) * 1000);
      }
    }
    if (expected === 0) return;
    const ms = Math.max(DEADLINE_FLOOR_MS, expected * DEADLINE_FACTOR);
    const armedAt = Date.now();
    this.timer = setTimeout(() => {
      if (this.outstanding === 0) return;
      // Late workers are at most this fast; lowering their estimate shrinks their next share.
      for (const s of this.shards) {
        if (s.result) continue;
        for (const [id, a] of s.assigned) {
          const m = this.pool.get(id);
          if (m && a.measuresSpeed) {
            const bound = (s.indices.length / Math.max(1, Date.now() - a.sentAt)) * 1000;
            if (bound < m.speed) this.pool.recordSpeed(m, bound);
          }
        }
      }
      this.overdue = true;
      this.reassign();
      this.armDeadline();
    }, ms - (Date.now() - armedAt));
    this.timer.unref?.();
  }

  private finish(): void {
    if (this.timer) clearTimeout(this.timer);
    const results = this.shards.map((s) => s.result!);
    const samples = results.reduce((a, r) => a + r.count, 0);
    const metrics: Record<string, number> = {};
    for (const k of Object.keys(results[0]!.metrics)) {
      metrics[k] = results.reduce((a, r) => a + (r.metrics[k] ?? NaN) * r.count, 0) / samples;
    }
    this.resolve({
      parts: results.map((r) => ({ grads: r.grads, count: r.count })),
      loss: results.reduce((a, r) => a + r.loss * r.count, 0) / samples,
      metrics,
      samples,
      reassigned: this.reassignedCount,
      shards: results.map((r) => ({ workerId: r.workerId, count: r.count })),
    });
  }
}
