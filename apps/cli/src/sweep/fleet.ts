import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { spawnLocalWorkers } from '../local-workers.ts';

/** The workers of one sweep point. */
export interface Fleet {
  kind: 'processes' | 'simulated';
  /** Rejects if the fleet dies before `n` workers could join (a worker process that fails to start). */
  failed: Promise<never>;
  /** Stops every worker and waits until each has gone (processes: SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/**
 * `processes`: real worker processes of this CLI, one core each, exactly what `train` starts.
 * `simulated`: K virtual workers inside this process (`--simulate-workers`), for fleets bigger
 * than the machine. They are complete workers (own model copy, real socket.io on loopback, real
 * shards), but they share one thread, so their samples/s and times say nothing about a real fleet
 * of K machines: every output of such a sweep says "simulated".
 */
export async function startFleet(kind: Fleet['kind'], n: number, url: string, backend: string): Promise<Fleet> {
  if (kind === 'simulated') {
    const handles: NodeWorkerHandle[] = [];
    for (let i = 0; i < n; i++) handles.push(await startNodeWorker({ url, nickname: `simulated-${i + 1}` }));
    return {
      kind,
      failed: new Promise<never>(() => undefined),
      async stop() {
        handles.forEach((h) => h.close());
        await Promise.all(handles.map((h) => h.done));
      },
    };
  }
  const local = spawnLocalWorkers(n, url, { backend, json: true });
  // Workers outlive a sweep that exits without stopping them (a second Ctrl-C, a crash): they retry
  // the gone coordinator forever under PID 1. Whatever ends this process takes them along.
  const killAll = () => local.children.forEach((ch) => ch.exitCode === null && ch.signalCode === null && ch.kill('SIGKILL'));
  process.once('exit', killAll);
  let live = true;
  const failed = new Promise<never>((_, reject) => {
    for (const ch of local.children) {
      ch.once('exit', (code, signal) => {
        if (live) reject(new Error(`a worker process exited (${signal ?? `code ${code}`}) before the point finished; see its stderr above`));
      });
    }
  });
  failed.catch(() => undefined);
  return {
    kind,
    failed,
    async stop() {
      live = false;
      await local.stop();
      process.off('exit', killAll);
    },
  };
}
