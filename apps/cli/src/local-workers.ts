import { spawn, type ChildProcess } from 'node:child_process';
import type { Coordinator } from '@shardgrad/coordinator';
import { startInProcessWorkers } from '@shardgrad/worker-node';
import { shardgradArgv } from './launch/bin.ts';
import { UsageError } from './output.ts';

export interface LocalWorkers {
  children: ChildProcess[];
  /** Resolves once every worker process has exited, however: nothing local is left to train. */
  allExited: Promise<void>;
  stop(): Promise<void>;
}

/** Starts worker processes of this same CLI; each is a full process, so each gets its own core. */
export function spawnLocalWorkers(
  n: number,
  url: string,
  opts: {
    backend: string;
    json: boolean;
    extraArgs?: (i: number) => string[];
    /**
     * Start each worker in a session of its own. Linux groups a session's processes for CPU time
     * (autogroup), so without it local workers share one slice of a busy machine, unlike workers on
     * separate machines; benchmarks of the split want them apart.
     */
    ownSession?: boolean;
  },
): LocalWorkers {
  const children = Array.from({ length: n }, (_, i) =>
    spawn(process.execPath, shardgradArgv('worker', '--url', url, '--backend', opts.backend, '--nickname', `local-${i + 1}`, '--json', '--exit-with-parent', ...(opts.extraArgs?.(i) ?? [])), {
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: opts.ownSession ?? false,
    }),
  );
  // Workers in sessions of their own do not die with this process: take them along on the way out.
  const killAll = () => children.forEach((ch) => ch.kill('SIGKILL'));
  if (opts.ownSession) process.once('exit', killAll);
  const allExited = Promise.all(
    children.map((ch) => new Promise<void>((resolve) => (ch.exitCode !== null || ch.signalCode !== null ? resolve() : ch.once('exit', () => resolve())))),
  ).then(() => undefined);
  return {
    children,
    allExited,
    async stop() {
      process.off('exit', killAll);
      await Promise.all(
        children.map(
          (ch) =>
            new Promise<void>((resolve) => {
              if (ch.exitCode !== null || ch.signalCode !== null) return resolve();
              const t = setTimeout(() => ch.kill('SIGKILL'), 5000);
              ch.once('exit', () => {
                clearTimeout(t);
                resolve();
              });
              ch.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

/** How `train`'s local workers run (`--local-workers`). */
export const LOCAL_WORKER_KINDS = ['processes', 'threads'] as const;
export type LocalWorkerKind = (typeof LOCAL_WORKER_KINDS)[number];

/**
 * N local workers (`train`, the benchmarks): processes joined over sockets, as any remote worker is,
 * or threads of this process joined over message ports (startInProcessWorkers), which spares every
 * round the network stack. Threads run wasm (or cpu): the native backends cannot live in
 * worker_threads. `extraArgs` are `shardgrad worker` flags per worker; threads take --slowdown only.
 */
export function startLocalWorkers(
  n: number,
  c: Pick<Coordinator, 'url' | 'attachPort'>,
  o: { backend: string; json: boolean; as: LocalWorkerKind; extraArgs?: (i: number) => string[]; ownSession?: boolean },
): { stop(): Promise<void>; allExited?: Promise<void> } {
  if (o.as === 'processes') return spawnLocalWorkers(n, c.url, { backend: o.backend, json: o.json, extraArgs: o.extraArgs, ownSession: o.ownSession });
  if (o.backend !== 'auto' && o.backend !== 'wasm' && o.backend !== 'cpu') {
    throw new UsageError(`--local-workers threads run a wasm or cpu backend each; --backend ${o.backend} needs --local-workers processes`);
  }
  const backend = o.backend === 'cpu' ? 'cpu' : 'wasm';
  return startInProcessWorkers(n, (port) => c.attachPort(port), (i) => ({
    backend,
    nickname: `local-${i + 1}`,
    token: process.env.SHARDGRAD_WORKER_TOKEN,
    slowdown: slowdownFlag(o.extraArgs?.(i) ?? []),
  }));
}

function slowdownFlag(args: string[]): number | undefined {
  const i = args.indexOf('--slowdown');
  const rest = args.filter((_, k) => i < 0 || (k !== i && k !== i + 1));
  if (rest.length) throw new Error(`worker threads take --slowdown only, not ${rest.join(' ')}`);
  return i < 0 ? undefined : Number(args[i + 1]);
}
