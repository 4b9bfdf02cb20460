import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';

/** How a process ended: an exit code, or the signal that killed it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Exit code 2 is the CLI's usage error (bad flag, bad value): running it again cannot help. */
const USAGE_ERROR = 2;

export interface SupervisedSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Restarts allowed after a crash (non-zero exit other than a usage error, or death by a signal). */
  maxRestarts: number;
  stdio: SpawnOptions['stdio'];
  /** Each start, the first (attempt 0) and every restart. */
  onStart?: (child: ChildProcess, attempt: number) => void;
  /** Each exit; `restarting` says whether another attempt follows. */
  onExit?: (exit: ProcessExit, restarting: boolean, attempt: number) => void;
}

/** The final outcome once no restart follows. */
export interface SupervisedOutcome extends ProcessExit {
  restarts: number;
  /** True when it ended cleanly (exit 0), stopped on a signal it took (130, 143), or `stop` was asked for. */
  ok: boolean;
}

/**
 * 130 and 143: the process took SIGINT or SIGTERM and stopped on purpose (someone stopped it), as
 * shardgrad's commands do; a restart would undo that.
 */
const STOPPED_ON_REQUEST = new Set([130, 143]);

/** It ended as it meant to: done (0), or stopped as asked (130, 143). */
const endedOnPurpose = (exit: ProcessExit) => exit.signal === null && (exit.code === 0 || STOPPED_ON_REQUEST.has(exit.code ?? -1));

/** Crashes worth a restart: killed by a signal, or a failure that is not the CLI refusing its input or stopping on request. */
export function isCrash(exit: ProcessExit): boolean {
  return exit.signal !== null || (!endedOnPurpose(exit) && exit.code !== USAGE_ERROR);
}

/**
 * One process kept running the way torchrun keeps a worker running: restarted after a crash up to
 * `maxRestarts` times, left alone once it exits cleanly, never restarted after `stop`.
 */
export class SupervisedProcess {
  readonly done: Promise<SupervisedOutcome>;
  private child: ChildProcess | undefined;
  private stopping = false;
  private attempt = 0;
  private finish!: (o: SupervisedOutcome) => void;

  constructor(private readonly spec: SupervisedSpec) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.start();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get restarts(): number {
    return this.attempt;
  }

  /** Sends `signal` to the running process (if any) and allows no further restart. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.stopping = true;
    this.signal(signal);
  }

  /** Passes a signal on without changing the restart policy (SIGKILL escalation, SIGHUP, ...). */
  signal(signal: NodeJS.Signals): void {
    const ch = this.child;
    if (ch && ch.exitCode === null && ch.signalCode === null) ch.kill(signal);
  }

  private start(): void {
    const ch = spawn(this.spec.command, this.spec.args, { env: this.spec.env, stdio: this.spec.stdio });
    this.child = ch;
    const attempt = this.attempt;
    this.spec.onStart?.(ch, attempt);
    // 'error' covers a command that cannot be spawned at all; it ends like a crash with no code.
    let ended = false;
    const end = (exit: ProcessExit) => {
      if (ended) return;
      ended = true;
      const restarting = !this.stopping && isCrash(exit) && attempt < this.spec.maxRestarts;
      this.spec.onExit?.(exit, restarting, attempt);
      if (restarting) {
        this.attempt++;
        this.start();
        return;
      }
      this.finish({ ...exit, restarts: attempt, ok: this.stopping || endedOnPurpose(exit) });
    };
    ch.once('error', () => end({ code: null, signal: null }));
    ch.once('exit', (code, signal) => end({ code, signal }));
  }
}

/** The shell's convention for a status: the exit code, or 128 + the number of the fatal signal. */
export function exitStatus(exit: ProcessExit): number {
  if (exit.code !== null) return exit.code;
  if (exit.signal !== null) return 128 + constants.signals[exit.signal];
  return 1;
}
