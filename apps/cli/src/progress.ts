import type { Output } from './output.ts';
import { MultiBar, type SingleBar } from 'cli-progress';

/** A live status line for people at a terminal; with --json or a pipe there is none (plain lines instead). */
export interface Progress {
  /** True when a bar is drawn: callers then send their text through `line`, not straight to stdout. */
  readonly active: boolean;
  update(value: number, payload?: Record<string, string | number>): void;
  setTotal(total: number): void;
  /** Prints a line above the bar, or plainly when there is no bar. */
  line(text: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** cli-progress format: {bar}, {value}, {total}, {eta_formatted} and the payload's keys. */
  format: string;
  total?: number;
  /** Draw only when this is true; the default asks whether stdout is a terminal and --json is off. */
  enabled: boolean;
  /** Initial values of the format's own placeholders, so nothing shows as `{loss}` before the first update. */
  payload?: Record<string, string | number>;
  stream?: NodeJS.WriteStream;
}

/** Whether a command should draw bars: a terminal on stdout, and no --json. */
export const wantsBars = (json: boolean, stream: NodeJS.WriteStream = process.stdout) => !json && Boolean(stream.isTTY);

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stdout;
  if (!opts.enabled) {
    return {
      active: false,
      update: () => undefined,
      setTotal: () => undefined,
      line: (text) => void stream.write(`${text}\n`),
      stop: () => undefined,
    };
  }
  const multi = new MultiBar({ format: opts.format, stream, hideCursor: true, clearOnComplete: false, fps: 5, barsize: 24, autopadding: true });
  let payload: Record<string, string | number> = { ...opts.payload };
  const bar: SingleBar = multi.create(opts.total ?? 0, 0, payload);
  let stopped = false;
  return {
    active: true,
    update(value, p) {
      if (p) payload = { ...payload, ...p };
      bar.update(value, payload);
    },
    setTotal: (total) => bar.setTotal(total),
    line: (text) => multi.log(`${text}\n`),
    stop() {
      if (stopped) return;
      stopped = true;
      multi.update(); // flushes lines logged since the last redraw, which stop() would drop
      multi.stop();
    },
  };
}

/** An Output whose lines for people go above the bar while one is drawn (JSON is unaffected: no bar then). */
export function outputThrough(out: Output, progress: Progress): Output {
  if (!progress.active) return out;
  return {
    json: out.json,
    event: (e, human) => {
      const text = human ? human(e) : null;
      if (text !== null && text !== undefined) progress.line(text);
    },
    say: (text) => progress.line(text),
  };
}
