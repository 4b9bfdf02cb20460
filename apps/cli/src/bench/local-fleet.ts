import { createCoordinator, type Coordinator, type CoordinatorOptions } from '@shardgrad/coordinator';
import { spawnLocalWorkers } from '../local-workers.ts';

export interface LocalFleetOptions {
  workers: number;
  /** Extra `shardgrad worker` flags per worker (--slowdown, --threads, --compress). */
  extraArgs?: (i: number) => string[];
  /** Each worker in a session of its own, so the kernel shares the cores as between machines. */
  ownSession?: boolean;
}

/**
 * A coordinator and local wasm worker processes for one benchmark run: `use` attaches its listeners
 * and trains; afterwards the workers are told to stop and everything is closed, whatever happened.
 */
export async function withLocalFleet<T>(coordinator: CoordinatorOptions, fleet: LocalFleetOptions, use: (c: Coordinator) => Promise<T>): Promise<T> {
  const c = await createCoordinator(coordinator);
  const workers = spawnLocalWorkers(fleet.workers, c.url, { backend: 'wasm', json: true, extraArgs: fleet.extraArgs, ownSession: fleet.ownSession });
  try {
    return await use(c);
  } finally {
    c.broadcastStop('bench done');
    await workers.stop();
    await c.close();
  }
}
