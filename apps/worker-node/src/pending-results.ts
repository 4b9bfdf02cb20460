import type { ResultHeader } from '@shardgrad/protocol';

export interface PendingResult {
  header: ResultHeader;
  payload: Uint8Array;
  /** What the payload would weigh as raw float32, for `--compress auto`'s estimate. */
  rawBytes?: number;
}

/**
 * Results sent but not yet acknowledged. After a network drop the worker sends them again on its
 * new connection: the coordinator counts each (round, shard) once, so a copy that did arrive the
 * first time is refused as a harmless duplicate, and one that was lost still counts.
 */
export class PendingResults {
  private items = new Map<string, PendingResult>();

  static key(h: Pick<ResultHeader, 'runId' | 'round' | 'shardId'>): string {
    return `${h.runId}/${h.round}/${h.shardId}`;
  }

  add(r: PendingResult): string {
    const k = PendingResults.key(r.header);
    this.items.set(k, r);
    return k;
  }

  settle(key: string): void {
    this.items.delete(key);
  }

  /** What to send again, oldest first; results of another run are dropped (nobody wants them). */
  resend(runId: string): [string, PendingResult][] {
    for (const [k, r] of this.items) if (r.header.runId !== runId) this.items.delete(k);
    return [...this.items];
  }

  /** Forgets everything; returns nothing to resend. */
  clear(): [string, PendingResult][] {
    this.items.clear();
    return [];
  }

  get size(): number {
    return this.items.size;
  }
}
