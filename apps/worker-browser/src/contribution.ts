/**
 * What this tab contributed: results the coordinator accepted (acknowledged ok), in the run it is
 * in and in every run since the tab opened. "This run" starts from zero where the coordinator's
 * count for this worker does, so it is the count on this tab's leaderboard row.
 */

export interface Counts {
  samples: number;
  rounds: number;
}

export const NO_WORK: Counts = { samples: 0, rounds: 0 };

/** The counts as kept across a reload of the page. */
export interface SavedContribution {
  /** The run `contribution` counts. */
  runId?: string;
  contribution?: Counts;
  allRuns?: Counts;
}

export class Contribution {
  /** The run `thisRun` counts (where the coordinator's count for this worker is the same). */
  private countedRun?: string;
  private inRun: Counts;
  private inAllRuns: Counts;

  constructor(saved: SavedContribution) {
    this.countedRun = saved.runId;
    this.inRun = (saved.runId && saved.contribution) || NO_WORK;
    this.inAllRuns = saved.allRuns ?? NO_WORK;
  }

  get thisRun(): Counts {
    return this.inRun;
  }

  get allRuns(): Counts {
    return this.inAllRuns;
  }

  get saved(): SavedContribution {
    return { runId: this.countedRun, contribution: this.inRun, allRuns: this.inAllRuns };
  }

  /**
   * The coordinator carries a worker's count on only when it resumed that worker in the same run
   * (resume-book.ts restoreRecord); otherwise it counts from zero, and so does this tab. Returns
   * whether this run's count went back to zero.
   */
  startCounting(runId: string, resumed: boolean): boolean {
    const carriesOn = resumed && this.countedRun === runId;
    this.countedRun = runId;
    if (!carriesOn) this.inRun = NO_WORK;
    return !carriesOn;
  }

  /** A result the coordinator accepted: it counts for this tab as it does on its leaderboard row. */
  accepted(runId: string, samples: number): void {
    const add = (c: Counts) => ({ samples: c.samples + samples, rounds: c.rounds + 1 });
    this.inAllRuns = add(this.inAllRuns);
    if (runId === this.countedRun) this.inRun = add(this.inRun);
  }
}
