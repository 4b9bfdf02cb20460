import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { shardgradArgv } from '../../apps/cli/src/launch/bin.ts';
import { afterAll } from 'vitest';


/** A long-running `shardgrad` child whose JSON lines a test can wait on. */
export interface CliProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  /** Resolves with the first line (seen or still to come) that matches; rejects if the process exits first. */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, shardgradArgv(...args), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  void exited.then((x) => waiters.splice(0).forEach((w) => w.reject(new Error(`shardgrad ${args[0]} exited (${x.signal ?? x.code}) first:\n${err.slice(-2000)}`))));
  return {
    child,
    lines,
    exited,
    stderr: () => err,
    waitFor: (match) => {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`shardgrad ${args[0]} already exited:\n${err.slice(-2000)}`));
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
  };
}

/** A loopback port that was free a moment ago (the coordinator must come back on the same one). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function stopProcess(p: CliProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await p.exited;
}

/** Starts CLI processes for the calling describe block and stops every one of them after it. */
export function processesOfThisSuite(): (args: string[]) => CliProcess {
  const procs: CliProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await stopProcess(p);
  });
  return (args) => {
    const p = spawnCli(args);
    procs.push(p);
    return p;
  };
}
