import { counted } from '../plural.ts';
import { testHeadline } from '../summary-text.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describeEvent } from '../describe-event.ts';
import type { Output } from '../output.ts';
import { shardgradArgv } from './bin.ts';
import type { ProcessExit } from './supervisor.ts';

export interface CoordinatorChild {
  child: ChildProcess;
  /** The coordinator's URL once it listens; rejects if it exits before (bad flags, unknown model, port taken). */
  listening: Promise<URL>;
  exit: Promise<ProcessExit>;
  /** The training summary, once printed. */
  summary: Promise<Record<string, unknown> | undefined>;
  /** Whether the summary has been printed: training is over, workers leaving now is expected. */
  finished(): boolean;
}

/** The coordinator's final lines, in words; every other event is worded by describeEvent. */
function describeCoordinatorLine(e: Record<string, unknown>): string | null {
  if (e.type === 'summary') {
    const head = testHeadline(Number(e.testLoss), (e.testMetrics ?? {}) as Record<string, number>);
    return `${head ? `${head}  ` : ''}${e.steps} steps in ${Number(e.seconds).toFixed(1)} s on ${counted(Number(e.workers), 'worker')}`;
  }
  return describeEvent(e);
}

/**
 * Runs `shardgrad coordinator --json <args>` as a child. It speaks JSON lines so the launcher can
 * learn its URL; the lines reach the user as they are (--json) or in words.
 */
export function startCoordinatorChild(args: string[], out: Output, env: NodeJS.ProcessEnv = process.env): CoordinatorChild {
  const child = spawn(process.execPath, shardgradArgv('coordinator', '--json', ...args), { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let onListening!: (u: URL) => void;
  let onSummary!: (s: Record<string, unknown> | undefined) => void;
  const listening = new Promise<URL>((resolve) => (onListening = resolve));
  const summary = new Promise<Record<string, unknown> | undefined>((resolve) => (onSummary = resolve));
  let finished = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      process.stdout.write(`${line}\n`);
      return;
    }
    if (e.type === 'listening') onListening(new URL(String(e.url)));
    if (e.type === 'summary') {
      finished = true;
      onSummary(e);
    }
    out.event(e, describeCoordinatorLine);
  });
  const exit = new Promise<ProcessExit>((resolve) => {
    child.once('error', () => resolve({ code: null, signal: null }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  void exit.then(() => onSummary(undefined));
  return {
    child,
    listening: Promise.race([
      listening,
      exit.then((x): never => {
        throw new Error(`the coordinator exited before it listened (${x.signal ?? `exit code ${x.code}`})`);
      }),
    ]),
    exit,
    summary,
    finished: () => finished,
  };
}
