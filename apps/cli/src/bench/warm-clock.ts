/**
 * Seconds a benchmark runs before its clock starts. V8 goes on optimizing tfjs's JavaScript for many
 * seconds, on background threads that take the machine's other core: an MLP engine warmed up for 5
 * steps still compiled ~300 functions in its next 16 s, and two such engines side by side ran ~40%
 * slower than one alone. After ~7 s of steps the pair ran as fast as one alone (3.9–4.4 ms per
 * 128-sample step against 4.0–4.3 ms). A training run lasts minutes, so its settled speed is the
 * one worth measuring.
 */
export const WARMUP_SECONDS = 15;

/**
 * Decides which rounds a benchmark times: the `steps` rounds that follow the first round to end
 * `warmupSeconds` after the first round ended.
 */
export class WarmClock {
  private firstRoundAt: number | undefined;
  /** The first timed step; undefined while warming up. */
  private firstTimed: number | undefined;
  private timed = 0;
  private startedAt = 0;
  private endedAt = 0;

  constructor(
    readonly steps: number,
    readonly warmupSeconds = WARMUP_SECONDS,
  ) {}

  /** Call once per round event, in order, with the step it completed. */
  roundEnded(step: number, now = performance.now()): void {
    if (this.firstRoundAt === undefined) this.firstRoundAt = now;
    if (this.firstTimed === undefined) {
      if (now - this.firstRoundAt >= this.warmupSeconds * 1000) {
        this.firstTimed = step + 1;
        this.startedAt = now;
      }
      return;
    }
    if (this.timed < this.steps && step >= this.firstTimed) {
      this.timed++;
      this.endedAt = now;
    }
  }

  /** Whether the round that completed `step` is one of the timed rounds. */
  times(step: number): boolean {
    return this.firstTimed !== undefined && step >= this.firstTimed && step < this.firstTimed + this.steps;
  }

  get done(): boolean {
    return this.timed >= this.steps;
  }

  /** Wall-clock seconds from the end of the last warm-up round to the end of the last timed round. */
  get seconds(): number {
    return (this.endedAt - this.startedAt) / 1000;
  }
}

/** Calls `step` until `seconds` have passed (and at least once): an engine's warm-up. */
export async function warmFor<T>(seconds: number, step: (k: number) => Promise<T> | T): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let k = 0;
  do await step(k++);
  while (performance.now() < until);
  return k;
}
