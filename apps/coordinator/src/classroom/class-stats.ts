import { displayName, type ClassStats, type ContributionRow, type RunState, type WorkersWaitedFor } from '@shardgrad/protocol';
import type { PoolMember } from '../worker-pool.ts';

interface Tracked {
  row: ContributionRow;
  joinedAt: number;
  until: number;
}

/**
 * Each worker's contribution to the current run, for the students' leaderboard. Rows outlive the
 * worker (a closed tab keeps its place); a new run starts a new table.
 */
export class ClassStatsTracker {
  private rows = new Map<string, Tracked>();

  reset(): void {
    this.rows.clear();
  }

  /**
   * Copies the members' counters: the live ones', and the final ones of those who left this run
   * since the last update (a tab closed between two updates keeps the work of its last rounds).
   */
  update(live: readonly PoolMember[], departed: readonly PoolMember[] = [], now = Date.now()): void {
    const liveIds = new Set(live.map((m) => m.id));
    for (const t of this.rows.values()) t.row.live = liveIds.has(t.row.workerId);
    for (const m of departed) {
      if (liveIds.has(m.id)) continue;
      const t = this.rows.get(m.id) ?? { row: emptyRow(m), joinedAt: m.joinedAt, until: m.lastSeen };
      t.row.samples = m.samples;
      t.row.rounds = m.rounds;
      t.row.live = false;
      this.rows.set(m.id, t);
    }
    for (const m of live) {
      const t = this.rows.get(m.id) ?? { row: emptyRow(m), joinedAt: m.joinedAt, until: now };
      // A student who renames rejoins with the resume key: the same worker, so the same row, new name.
      t.row.nickname = displayName(m);
      t.row.samples = m.samples;
      t.row.rounds = m.rounds;
      t.row.live = true;
      t.until = now;
      t.row.minutes = (now - t.joinedAt) / 60_000;
      this.rows.set(m.id, t);
    }
  }

  /**
   * The class stats of `run`. `waitingFor` (what the run waits for, from the coordinator's 'waiting'
   * event) goes out only while the run is in state 'waiting': a count left over from before the first
   * round would tell students to wait for classmates while they train.
   */
  stats(run: { runId: string; model: string; state: RunState; step: number; waitingFor?: WorkersWaitedFor }): ClassStats {
    const rows = [...this.rows.values()].map((t) => ({ ...t.row })).sort((a, b) => b.samples - a.samples || a.nickname.localeCompare(b.nickname));
    const { waitingFor, ...rest } = run;
    return {
      ...rest,
      ...(waitingFor && run.state === 'waiting' && { waitingFor }),
      total: {
        samples: rows.reduce((s, r) => s + r.samples, 0),
        rounds: run.step,
        workers: rows.filter((r) => r.live).length,
        minutes: rows.reduce((s, r) => s + r.minutes, 0),
      },
      rows,
    };
  }
}


function emptyRow(m: PoolMember): ContributionRow {
  return { workerId: m.id, nickname: displayName(m), kind: m.kind, samples: 0, rounds: 0, minutes: 0, live: true };
}
