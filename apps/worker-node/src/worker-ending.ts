/**
 * How a worker ended, for whoever supervises it: only `stopped` (the coordinator said the work is
 * over) and `closed` (its own process asked it to go) are clean ends. A Kubernetes Job or `launch`
 * must not count a worker that lost its coordinator as done.
 */
export type WorkerEnding =
  | { cause: 'stopped'; reason: string }
  | { cause: 'closed'; reason: string }
  | { cause: 'lost'; reason: string }
  /** A shard or the rebuild for a new run failed here. */
  | { cause: 'failed'; reason: string }
  | { cause: 'refused'; reason: string; refusal: JoinRefusedError };

/** Refusals that retrying cannot fix: the user must change the token, join code or version. */
const USER_MUST_FIX = new Set(['unauthorized', 'protocol-version', 'malformed']);

/** The coordinator answered a hello with a refusal (JoinAck ok: false). */
export class JoinRefusedError extends Error {
  constructor(
    /** JoinAck's reason code, e.g. unauthorized, protocol-version, rate-limited. */
    readonly reason: string,
    message: string,
  ) {
    super(`coordinator refused to join: ${message}`);
    this.name = 'JoinRefusedError';
  }

  /** True where running the worker again unchanged cannot succeed (the CLI's exit code 2). */
  get userMustFix(): boolean {
    return USER_MUST_FIX.has(this.reason);
  }
}

/** The coordinator could not be reached within the wait allowed at start. */
export class CoordinatorUnreachableError extends Error {
  constructor(where: string, waitedMs: number, cause: string) {
    super(`cannot reach coordinator at ${where}${waitedMs > 0 ? ` within ${Math.round(waitedMs / 1000)} s` : ''}: ${cause}`);
    this.name = 'CoordinatorUnreachableError';
  }
}
