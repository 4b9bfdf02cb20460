import { spawn, type ChildProcess } from 'node:child_process';
import { shardgradArgv } from './launch/bin.ts';

export interface LocalWorkers {
  children: ChildProcess[];
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
    spawn(process.execPath, shardgradArgv('worker', '--url', url, '--backend', opts.backend, '--nickname', `local-${i + 1}`, '--json', ...(opts.extraArgs?.(i) ?? [])), {
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: opts.ownSession ?? false,
    }),
  );
  // Workers in sessions of their own do not die with this process: take them along on the way out.
  const killAll = () => children.forEach((ch) => ch.kill('SIGKILL'));
  if (opts.ownSession) process.once('exit', killAll);
  return {
    children,
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
