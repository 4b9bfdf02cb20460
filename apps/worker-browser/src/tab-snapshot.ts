/**
 * The tab's state as the page draws it: one snapshot, replaced whole at every change and handed to
 * every listener, so the view never reads one that is half updated.
 */
import type { RunInfo } from '@shardgrad/protocol';
import type { BrowserBackend, CalibrationProgress, CalibrationReport, ShardReply } from './compute-api.ts';
import type { Counts } from './contribution.ts';

/** `code`: the class needs a join code and the tab has none (or a refused one); the student types it. */
export type Phase = 'connecting' | 'code' | 'downloading' | 'calibrating' | 'waiting' | 'training' | 'paused' | 'finished' | 'error';

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

/** A student needs no transport names: the socket's own reason goes to the console instead. */
export const UNREACHABLE = 'Cannot reach the class server; retrying…';

export const runShown = (r: RunInfo): NonNullable<TabSnapshot['run']> => ({ runId: r.runId, model: r.model, dataset: r.dataset, batch: r.batch });

export class SnapshotStore {
  private snap: TabSnapshot;
  private listeners = new Set<(s: TabSnapshot) => void>();

  constructor(initial: TabSnapshot) {
    this.snap = initial;
  }

  get current(): TabSnapshot {
    return this.snap;
  }

  onChange(fn: (s: TabSnapshot) => void): () => void {
    this.listeners.add(fn);
    fn(this.snap);
    return () => this.listeners.delete(fn);
  }

  set(patch: Partial<TabSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const fn of this.listeners) fn(this.snap);
  }

  fail(e: unknown): void {
    this.set({ phase: 'error', message: (e as Error)?.message ?? String(e) });
  }
}
