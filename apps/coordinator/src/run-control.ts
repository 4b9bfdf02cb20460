import type { CoordinatorConfig } from './coordinator.ts';

type Job = { run: (step: number) => Promise<void> };

/**
 * The teacher's hand on the training loop. Requests can arrive at any moment, but the weights only
 * hold still between rounds, so pause, stop and checkpoints take effect at `boundary()`, which the
 * loop awaits before each round. Outside the loop (before it starts, after it ends) the weights are
 * still, and checkpoints are written at once.
 */
export class RunControl {
  paused = false;
  stopRequested = false;
  /** Set by a session that can start another run when this one ends (`runSession`). */
  newRunsEnabled = false;
  private inLoop = false;
  /** The loop waits for workers (stillWhile): no round runs, so the weights hold still. */
  private still = false;
  /** Jobs run one after another, whoever starts them: two checkpoints of one step share a folder. */
  private draining: Promise<void> = Promise.resolve();
  private step = 0;
  private jobs: Job[] = [];
  private wake: (() => void) | undefined;
  private newRun: CoordinatorConfig | undefined;
  private newRunWaiter: (() => void) | undefined;
  private checkpointer: ((step: number) => Promise<string>) | undefined;

  /** `onStop` wakes anything that waits on something other than this control (workers joining). */
  constructor(private readonly onStop: () => void = () => undefined) {}

  /** The loop starts: a new run is neither paused nor stopped. */
  begin(): void {
    this.inLoop = true;
    this.paused = false;
    this.stopRequested = false;
  }

  /**
   * Called by the loop before each round. Runs pending jobs, then holds while paused (still running
   * jobs that arrive); resolves 'stop' once a stop is asked for.
   */
  async boundary(step: number): Promise<'continue' | 'stop'> {
    this.step = step;
    for (;;) {
      await this.runJobs();
      if (this.stopRequested) return 'stop';
      if (!this.paused) return 'continue';
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** The loop has ended at `step`: serve what was asked during its last round. */
  async end(step: number): Promise<void> {
    this.step = step;
    this.inLoop = false;
    await this.runJobs();
  }

  /**
   * Runs `wait` (for workers to join) with the weights still: a checkpoint asked for meanwhile is
   * written at once. It waited for the next round, which only a joining worker would bring, and
   * the teacher's request hung.
   */
  async stillWhile<T>(step: number, wait: () => Promise<T>): Promise<T> {
    this.step = step;
    this.still = true;
    try {
      await this.runJobs();
      return await wait();
    } finally {
      this.still = false;
    }
  }

  get running(): boolean {
    return this.inLoop;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.poke();
  }

  stop(): void {
    this.stopRequested = true;
    this.poke();
    this.onStop();
  }

  /**
   * Ends the current run; the session that drives runTraining then starts `next` (see takeNewRun).
   * A new run asked for earlier and not started yet is replaced: it is returned, for its model to be freed.
   */
  requestNewRun(next: CoordinatorConfig): CoordinatorConfig | undefined {
    const superseded = this.newRun;
    this.newRun = next;
    this.stop();
    this.newRunWaiter?.();
    return superseded;
  }

  /** Between runs (a session kept alive after its run ended): resolves when the teacher starts one. */
  async waitForNewRun(): Promise<CoordinatorConfig> {
    while (!this.newRun) await new Promise<void>((r) => (this.newRunWaiter = r));
    this.newRunWaiter = undefined;
    return this.takeNewRun()!;
  }

  takeNewRun(): CoordinatorConfig | undefined {
    const r = this.newRun;
    this.newRun = undefined;
    return r;
  }

  setCheckpointer(fn: ((step: number) => Promise<string>) | undefined): void {
    this.checkpointer = fn;
  }

  get canCheckpoint(): boolean {
    return this.checkpointer !== undefined;
  }

  /** Resolves with the checkpoint's path once it is written at a round boundary. */
  requestCheckpoint(): Promise<string> {
    const write = this.checkpointer;
    if (!write) return Promise.reject(new Error('this coordinator keeps no run directory, so it cannot write checkpoints'));
    return new Promise<string>((resolve, reject) => {
      this.jobs.push({ run: (step) => write(step).then(resolve, reject) });
      if (!this.inLoop || this.still) void this.runJobs();
      else this.poke();
    });
  }

  private runJobs(): Promise<void> {
    this.draining = this.draining.then(async () => {
      while (this.jobs.length > 0) await this.jobs.shift()!.run(this.step);
    });
    return this.draining;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
