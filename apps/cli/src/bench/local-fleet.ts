import { createCoordinator, type Coordinator, type CoordinatorOptions } from '@shardgrad/coordinator';
import { startInProcessWorkers } from '@shardgrad/worker-node';
import { spawnLocalWorkers } from '../local-workers.ts';

export type LocalTransport = 'process' | 'thread';

export interface LocalFleetOptions {
  workers: number;
  /** Extra `shardgrad worker` flags per worker (--slowdown, --threads, --compress); threads take --slowdown only. */
  extraArgs?: (i: number) => string[];
  /** Each worker in a session of its own, so the kernel shares the cores as between machines. */
  ownSession?: boolean;
  /** Worker processes joined over sockets (default), or threads of this process joined over message ports. */
  transport?: LocalTransport;
}

/**
 * A coordinator and local wasm workers for one benchmark run: `use` attaches its listeners
 * and trains; afterwards the workers are told to stop and everything is closed, whatever happened.
 */
export async function withLocalFleet<T>(coordinator: CoordinatorOptions, fleet: LocalFleetOptions, use: (c: Coordinator) => Promise<T>): Promise<T> {
  const c = await createCoordinator(coordinator);
  const workers =
    fleet.transport === 'thread'
      ? startInProcessWorkers(fleet.workers, (port) => c.attachPort(port), (i) => ({ backend: 'wasm', nickname: `local-${i + 1}`, slowdown: slowdownFlag(fleet.extraArgs?.(i) ?? []) }))
      : spawnLocalWorkers(fleet.workers, c.url, { backend: 'wasm', json: true, extraArgs: fleet.extraArgs, ownSession: fleet.ownSession });
  try {
    return await use(c);
  } finally {
    c.broadcastStop('bench done');
    await workers.stop();
    await c.close();
  }
}

function slowdownFlag(args: string[]): number | undefined {
  const i = args.indexOf('--slowdown');
  const rest = args.filter((_, k) => k !== i && k !== i + 1);
  if (rest.length) throw new Error(`worker threads take --slowdown only, not ${rest.join(' ')}`);
  return i < 0 ? undefined : Number(args[i + 1]);
}
