/**
 * The tab's life as a worker, on the page's main thread: fetch the run, download the data, have the
 * Web Worker calibrate, then join over socket.io and turn tasks into results until paused, stopped
 * or closed. TabSession only puts the parts together, so that the UI reads one state: the snapshot.
 */
import type { ClassTotal } from './class-total.ts';
import { AfterTraining } from './after-training.ts';
import { Contribution } from './contribution.ts';
import { CoordinatorLink } from './coordinator-link.ts';
import { RunPreparation } from './run-preparation.ts';
import type { SessionDeps } from './session-deps.ts';
import { SnapshotStore, type TabSnapshot } from './tab-snapshot.ts';

export type { Counts } from './contribution.ts';
export type { SessionDeps, TabMemory } from './session-deps.ts';
export type { Phase, TabSnapshot } from './tab-snapshot.ts';
export { calibratingMessage } from './calibration-progress.ts';

const CONNECTING = 'Connecting to the class server…';
const PAUSED = 'Paused. This tab does no work until you resume.';

export class TabSession {
  private readonly contribution: Contribution;
  private readonly snapshots: SnapshotStore;
  private readonly preparation: RunPreparation;
  private readonly afterTraining = new AfterTraining();
  private readonly link: CoordinatorLink;
  private pausedByUser = false;

  constructor(private readonly deps: SessionDeps) {
    const remembered = deps.memory?.load() ?? {};
    this.contribution = new Contribution(remembered);
    const { thisRun, allRuns } = this.contribution;
    this.snapshots = new SnapshotStore({ phase: 'connecting', message: CONNECTING, contribution: thisRun, allRuns, fallbacks: [], nickname: deps.options.nickname });
    this.preparation = new RunPreparation(deps, this.snapshots);
    this.link = new CoordinatorLink({
      deps,
      snapshots: this.snapshots,
      preparation: this.preparation,
      afterTraining: this.afterTraining,
      resumeKey: remembered.resumeKey,
      isPausedByUser: () => this.pausedByUser,
      remember: () => this.remember(),
      joinedRun: (runId, resumed) => this.startCounting(runId, resumed),
      accepted: (runId, samples) => this.counted(runId, samples),
    });
  }

  get snapshot(): TabSnapshot {
    return this.snapshots.current;
  }

  onChange(fn: (s: TabSnapshot) => void): () => void {
    return this.snapshots.onChange(fn);
  }

  async start(): Promise<void> {
    try {
      this.snapshots.set({ phase: 'connecting', message: CONNECTING });
      const run = await this.preparation.fetchRunWhenReachable();
      await this.preparation.prepare(run);
      if (this.pausedByUser) return this.snapshots.set({ phase: 'paused', message: PAUSED });
      this.link.connect();
    } catch (e) {
      this.snapshots.fail(e);
    }
  }

  /** The pause button: leave the class at once (the coordinator gives our shard to others). */
  pause(): void {
    this.pausedByUser = true;
    this.link.leave();
    this.snapshots.set({ phase: 'paused', message: PAUSED });
  }

  resume(): void {
    if (!this.pausedByUser && this.snapshots.current.phase !== 'finished') return;
    this.pausedByUser = false;
    this.afterTraining.forget();
    this.snapshots.set({ phase: 'connecting', message: 'Joining again…', rejoinsByItself: undefined });
    if (!this.preparation.report) void this.start();
    else this.link.joinAgain();
  }

  /**
   * A new name: the coordinator learns names at hello, so a joined tab joins again with its resume
   * key. It comes back as the same worker, so the leaderboard renames its row rather than add one,
   * and the calibration is kept: no new backend test, no reload.
   */
  rename(nickname: string | undefined): void {
    if (nickname === this.deps.options.nickname) return;
    this.deps.options.nickname = nickname;
    this.snapshots.set({ nickname });
    this.link.rejoinIfConnected();
  }

  /** What the class stats say (class-total.ts): a tab that finished may join the next run by itself. */
  classChanged(t: ClassTotal): void {
    if (this.afterTraining.mayJoinAgain(t, this.snapshots.current.phase)) this.resume();
  }

  /** Page is going away: say so, so the coordinator need not wait for the socket to time out. */
  leave(): void {
    this.link.leave();
  }

  /** The class needs a code this tab lacks, or refused the one it had: the page asks for it. */
  askForCode(message: string, refused?: string): void {
    this.snapshots.set({ phase: 'code', message, refused });
  }

  private startCounting(runId: string, resumed: boolean): void {
    if (this.contribution.startCounting(runId, resumed)) this.snapshots.set({ contribution: this.contribution.thisRun });
    this.remember();
  }

  private counted(runId: string, samples: number): void {
    this.contribution.accepted(runId, samples);
    this.snapshots.set({ allRuns: this.contribution.allRuns, contribution: this.contribution.thisRun });
    this.remember();
  }

  private remember(): void {
    this.deps.memory?.save({ resumeKey: this.link.resumeKey, ...this.contribution.saved });
  }
}
