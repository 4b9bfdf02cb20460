import { createCoordinator, type Coordinator, type CoordinatorOptions } from '@shardgrad/coordinator';
import { startLocalWorkers, type LocalWorkerKind } from '../local-workers.ts';

export interface LocalFleetOptions {
  workers: number;
  /** Extra `shardgrad worker` flags per worker (--slowdown, --threads, --compress); threads take --slowdown only. */
  extraArgs?: (i: number) => string[];
  /** Each worker in a session of its own, so the kernel shares the cores as between machines. */
  ownSession?: boolean;
  /** Worker processes joined over sockets (default), or threads of this process joined over message ports. */
  as?: LocalWorkerKind;
}

/**
 * A coordinator and local wasm workers for one benchmark run: `use` attaches its listeners
 * and trains; afterwards the workers are told to stop and everything is closed, whatever happened.
 */
export async function withLocalFleet<T>(coordinator: CoordinatorOptions, fleet: LocalFleetOptions, use: (c: Coordinator) => Promise<T>): Promise<T> {
  const c = await createCoordinator(coordinator);
  const workers = startLocalWorkers(fleet.workers, c, { backend: 'wasm', json: true, as: fleet.as ?? 'processes', extraArgs: fleet.extraArgs, ownSession: fleet.ownSession });
  try {
    return await use(c);
  } finally {
    c.broadcastStop('bench done');
    await workers.stop();
    await c.close();
  }
}
