import { randomBytes } from 'node:crypto';
import type { WorkerRole } from '@shardgrad/protocol';
import type { PoolMember } from './worker-pool.ts';

/** How long a dropped worker's place is kept for it to come back with its key. */
export const RESUME_WINDOW_MS = 5 * 60_000;
const MAX_KEPT = 5_000;

export interface Departed {
  member: PoolMember;
  role: WorkerRole;
  until: number;
}

/**
 * Resume keys: a secret handed to each worker at join. A worker whose connection dropped says it in
 * its next hello and gets its identity back: the same worker id (so a result for a shard it was given
 * is still its own, and one already counted is a duplicate, never a second count), its strikes, and
 * its speed estimate. The key is the credential: a rotated join code does not lock it out.
 */
export class ResumeBook {
  private keyOf = new Map<string, string>();
  private departed = new Map<string, Departed>();

  /** The worker's key; the same one for its whole life, so a hello whose ack was lost can be retried. */
  issue(memberId: string): string {
    const existing = this.keyOf.get(memberId);
    if (existing) return existing;
    const key = randomBytes(24).toString('base64url');
    this.keyOf.set(memberId, key);
    if (this.keyOf.size > MAX_KEPT * 10) this.keyOf.delete(this.keyOf.keys().next().value!);
    return key;
  }

  /** The worker's connection ended; keep its record for the window. */
  left(member: PoolMember, role: WorkerRole): void {
    const key = this.keyOf.get(member.id);
    if (!key) return;
    this.departed.set(key, { member, role, until: Date.now() + RESUME_WINDOW_MS });
    if (this.departed.size > MAX_KEPT) this.departed.delete(this.departed.keys().next().value!);
  }

  /** The record of a departed worker for `key`, once; undefined for an unknown or expired key. */
  take(key: string | undefined): Departed | undefined {
    if (!key) return undefined;
    const d = this.departed.get(key);
    if (!d) return undefined;
    this.departed.delete(key);
    return d.until >= Date.now() ? d : undefined;
  }

  /** The live worker a key belongs to (a drop the server has not noticed yet). */
  liveHolder(key: string | undefined): string | undefined {
    if (!key || this.departed.has(key)) return undefined;
    for (const [id, k] of this.keyOf) if (k === key) return id;
    return undefined;
  }

  forget(memberId: string): void {
    const key = this.keyOf.get(memberId);
    this.keyOf.delete(memberId);
    if (key) this.departed.delete(key);
  }
}

/**
 * A resumed worker keeps what the coordinator knew of it: strikes, refusals and flags always; its
 * work done and speed only in the run it left (a new run counts from zero, and trains another model).
 */
export function restoreRecord(member: PoolMember, old: PoolMember): void {
  member.errors = old.errors;
  member.rejects = { ...old.rejects };
  member.flagged = old.flagged;
  if (old.runId !== member.runId) return;
  member.rounds = old.rounds;
  member.samples = old.samples;
  member.joinedAt = old.joinedAt;
  if (old.speedMeasured) {
    member.speed = old.speed;
    member.speedMeasured = true;
    member.overheadMs = old.overheadMs;
  }
}
