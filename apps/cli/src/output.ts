/** One place decides how the CLI speaks: JSON lines for machines, short lines for people. */
export interface Output {
  json: boolean;
  /** An event: printed as one JSON line with --json, or as `human(event)` text otherwise (skipped if null). */
  event(e: Record<string, unknown>, human?: (e: Record<string, unknown>) => string | null): void;
  /** Text for people only; silent with --json. */
  say(text: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    event(e, human) {
      if (json) {
        process.stdout.write(`${JSON.stringify(e)}\n`);
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
