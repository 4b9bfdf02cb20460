/** One place decides how the CLI speaks: JSON lines for machines, short lines for people. */
export interface Output {
  json: boolean;
  /** An event: printed as one JSON line with --json, or as `human(event)` text otherwise (skipped if null). */
  event(e: Record<string, unknown>, human?: (e: Record<string, unknown>) => string | null): void;
  /** Text for people only; silent with --json. */
  say(text: string): void;
}

/**
 * The per-round table of workers goes out at most this often in JSON lines, and whenever who is
 * there changes: every round of a class of 3 tabs made 5 MB of log in 8 minutes, 30 tabs ten times that.
 */
export const WORKERS_EVENT_EVERY_MS = 1000;

export function createOutput(json: boolean, now: () => number = Date.now): Output {
  let workersAt = -Infinity;
  let workerIds = '';
  const sampled = (e: Record<string, unknown>) => {
    if (e.type !== 'workers' || !Array.isArray(e.workers)) return true;
    const ids = (e.workers as { id?: unknown }[]).map((w) => String(w.id)).join(',');
    if (ids === workerIds && now() - workersAt < WORKERS_EVENT_EVERY_MS) return false;
    workersAt = now();
    workerIds = ids;
    return true;
  };
  return {
    json,
    event(e, human) {
      if (json) {
        // Every line carries when it happened: an operator places a stall or a crash in time by it.
        if (sampled(e)) process.stdout.write(`${JSON.stringify({ ...e, time: e.time ?? new Date(now()).toISOString() })}\n`);
        return;
      }
      const text = human ? human(e) : null;
      if (text !== null && text !== undefined) process.stdout.write(`${text}\n`);
    },
    say(text) {
      if (!json) process.stdout.write(`${text}\n`);
    },
  };
}

/** A user error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
