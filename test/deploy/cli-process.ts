/** A shardgrad process started by a test: its JSON lines as events to await, its exit, its stderr. */
import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { SHARDGRAD_BIN } from '../../apps/cli/src/launch/bin.ts';
import { ROOT } from './deploy-files.ts';

export type CliEvent = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CliProcess {
  child: ChildProcess;
  events: CliEvent[];
  /** The first event (already seen or still to come) that matches; rejects if the process exits first. */
  waitFor(match: (e: CliEvent) => boolean, what: string): Promise<CliEvent>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Run the command line as written (e.g. `npx shardgrad …` from a Dockerfile) instead of this checkout's bin. */
  literal?: boolean;
}

/**
 * Starts `shardgrad <args>` (or, with `literal`, `args` itself) in the repository root. Stdout is
 * read as JSON lines; anything else on it is kept with stderr for failure messages.
 */
export function startCli(args: string[], opts: StartOptions = {}): CliProcess {
  const [command, argv] = opts.literal ? [args[0]!, args.slice(1)] : [process.execPath, [SHARDGRAD_BIN, ...args]];
  // The images put node_modules/.bin first on PATH, so `shardgrad` is the workspace's bin there too.
  const env = { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`, ...opts.env };
  const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  const events: CliEvent[] = [];
  let errText = '';
  const waiters: { match: (e: CliEvent) => boolean; resolve: (e: CliEvent) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let e: CliEvent;
    try {
      e = JSON.parse(line) as CliEvent;
    } catch {
      errText += `${line}\n`;
      return;
    }
    events.push(e);
    for (const w of [...waiters]) {
      if (w.match(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (errText += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const tail = () => errText.split('\n').slice(-25).join('\n');
  return {
    child,
    events,
    exit,
    stderr: () => errText,
    waitFor(match, what) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exit.then((x) => reject(new Error(`exited (${x.signal ?? x.code}) before ${what}; output:\n${tail()}`)));
      });
    },
  };
}

const started = new Set<ChildProcess>();

/**
 * For afterEach: SIGTERM to every process a test started that still runs (a failed or timed-out
 * test must not leave a coordinator behind), then SIGKILL to the pids they reported.
 */
export async function stopAll(pids: number[] = []): Promise<void> {
  const waits = [...started].map((ch) => new Promise((r) => ch.once('exit', r)));
  for (const ch of started) ch.kill('SIGTERM');
  await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 15_000))]);
  for (const ch of started) ch.kill('SIGKILL');
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** True while a process with this pid exists (signal 0 only checks). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function getJson(url: string): Promise<{ status: number; body: CliEvent }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as CliEvent };
}
