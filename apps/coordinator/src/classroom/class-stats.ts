import type { ClassStats, ContributionRow, RunState } from '@shardgrad/protocol';
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
      // A student who renames comes back (a reload with the resume key) as the same worker, new name.
      t.row.nickname = nicknameOf(m);
      t.row.samples = m.samples;
      t.row.rounds = m.rounds;
      t.row.live = true;
      t.until = now;
      t.row.minutes = (now - t.joinedAt) / 60_000;
      this.rows.set(m.id, t);
    }
  }

  stats(run: { runId: string; model: string; state: RunState; step: number }): ClassStats {
    const rows = [...this.rows.values()].map((t) => ({ ...t.row })).sort((a, b) => b.samples - a.samples || a.nickname.localeCompare(b.nickname));
    return {
      ...run,
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

const nicknameOf = (m: PoolMember) => m.nickname || `${m.kind}-${m.id.slice(0, 4)}`;

function emptyRow(m: PoolMember): ContributionRow {
  return { workerId: m.id, nickname: nicknameOf(m), kind: m.kind, samples: 0, rounds: 0, minutes: 0, live: true };
}
