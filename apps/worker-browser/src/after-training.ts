/**
 * The end of a run, as the coordinator's stop says it. A tab that finished because training ended
 * joins again by itself once the class server is back with a run to join: a student who kept the
 * page open expects it to carry on, as it does when the teacher starts a new run.
 */
import { joinableAgain, type ClassTotal } from './class-total.ts';
import type { Phase, TabSnapshot } from './tab-snapshot.ts';

/** The stop reason of a run that simply ended (the CLI's broadcastStop at the end of a class). */
const NORMAL_END = /^training finished\.?$/i;

export class AfterTraining {
  /** The run that finished, and whether the class server went away since (a restart). */
  private finishedRun?: { runId?: string; serverWasGone: boolean };

  /** The coordinator stopped this tab's run: what the tab shows now. */
  stopped(reason: string, runId: string | undefined): Partial<TabSnapshot> {
    const normal = NORMAL_END.test(reason);
    // Only a run that simply ended is followed into the next: a tab that was let go stays out.
    this.finishedRun = normal ? { runId, serverWasGone: false } : undefined;
    return {
      phase: 'finished',
      message: normal ? 'Training finished. Thank you for helping! Keep this page open: it joins the next run by itself.' : `Training ended: ${reason}.`,
      rejoinsByItself: normal,
    };
  }

  /** The tab joins again (by hand or by itself): the run that finished is no longer waited past. */
  forget(): void {
    this.finishedRun = undefined;
  }

  /** Whether the class stats (class-total.ts) let a tab still in `phase` join the class's run now. */
  mayJoinAgain(t: ClassTotal, phase: Phase): boolean {
    if (!this.finishedRun) return false;
    if (t.offline) {
      this.finishedRun.serverWasGone = true;
      return false;
    }
    return phase === 'finished' && joinableAgain(this.finishedRun, t);
  }
}
