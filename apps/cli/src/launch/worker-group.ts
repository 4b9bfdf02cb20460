import { createInterface } from 'node:readline';
import type { Output } from '../output.ts';
import { shardgradArgv } from './bin.ts';
import { SupervisedProcess, type ProcessExit, type SupervisedOutcome } from './supervisor.ts';
import { workerEnv, type RankPlan } from './worker-env.ts';
import { rankedWorkerLine } from './worker-lines.ts';

export interface WorkerGroupOptions {
  plan: RankPlan;
  maxRestarts: number;
  /** Extra `shardgrad worker` flags (--backend, --threads), the same for every rank. */
  workerArgs: string[];
  out: Output;
  env?: NodeJS.ProcessEnv;
}

export interface WorkerGroup {
  members: SupervisedProcess[];
  /** Resolves when every worker has ended for good; `failed` lists ranks that crashed past their restarts. */
  done: Promise<{ outcomes: SupervisedOutcome[]; failed: number[] }>;
  /** Resolves with the first rank that crashed past its restarts (never, if none does). */
  firstFailure: Promise<number>;
  stop(signal?: NodeJS.Signals): void;
  signal(signal: NodeJS.Signals): void;
}

const describeExit = (e: ProcessExit) => (e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`);

/** One worker stdout line on the launcher's output: the event with its rank under --json, a `[rank N]` line otherwise. */
function relayWorkerLine(out: Output, rank: number, line: string): void {
  const { event, text } = rankedWorkerLine(rank, line);
  if (event) out.event(event, () => text);
}

/** Starts one `shardgrad worker` per local rank, each supervised, with stderr lines tagged by rank. */
export function startWorkerGroup(o: WorkerGroupOptions): WorkerGroup {
  let reportFailure!: (rank: number) => void;
  const firstFailure = new Promise<number>((r) => (reportFailure = r));
  const members = Array.from({ length: o.plan.nproc }, (_, local) => {
    const env = workerEnv(o.env ?? process.env, o.plan, local);
    const rank = Number(env.RANK);
    return new SupervisedProcess({
      command: process.execPath,
      args: shardgradArgv('worker', '--json', '--exit-with-parent', ...o.workerArgs),
      env,
      maxRestarts: o.maxRestarts,
      // Its JSON events (backend, joined, disconnected, worker-done) are what an operator of a
      // container or pod has to go on; rankedWorkerLine drops the per-shard ones.
      stdio: ['ignore', 'pipe', 'pipe'],
      onStart: (child, attempt) => {
        if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => relayWorkerLine(o.out, rank, line));
        if (child.stderr) {
          createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[rank ${rank}] ${line}\n`));
        }
        o.out.event({ type: 'launch-worker', rank, localRank: local, pid: child.pid ?? null, attempt }, () =>
          attempt === 0 ? null : `restarted worker rank ${rank} (restart ${attempt} of ${o.maxRestarts}), pid ${child.pid}`,
        );
      },
      onExit: (exit, restarting, attempt) => {
        const crashed = exit.signal !== null || exit.code !== 0;
        o.out.event({ type: 'launch-worker-exit', rank, code: exit.code, signal: exit.signal, attempt, restarting }, () =>
          crashed ? `worker rank ${rank} ended: ${describeExit(exit)}${restarting ? '; restarting it' : ''}` : null,
        );
      },
    });
  });
  members.forEach((m, local) =>
    void m.done.then((outcome) => {
      if (!outcome.ok) reportFailure(o.plan.nodeRank * o.plan.nproc + local);
    }),
  );
  const done = Promise.all(members.map((m) => m.done)).then((outcomes) => ({
    outcomes,
    failed: outcomes.flatMap((x, local) => (x.ok ? [] : [o.plan.nodeRank * o.plan.nproc + local])),
  }));
  return {
    members,
    done,
    firstFailure,
    stop: (signal = 'SIGTERM') => members.forEach((m) => m.stop(signal)),
    signal: (signal) => members.forEach((m) => m.signal(signal)),
  };
}
