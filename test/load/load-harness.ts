import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createCoordinator, runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { initNodeBackend } from '@shardgrad/backends/node';
import type { Task } from '@shardgrad/protocol';
import { spawnLocalWorkers } from '../../apps/cli/src/local-workers.ts';
import { headerFor, rawClient, zeroPayload, type RawClient } from '../support/raw-client.ts';

export interface LoadOptions {
  /** Lightweight hand-driven clients that join (besides one real worker). */
  clients: number;
  /** Duplicate and stale submissions to send in all, spread over the clients. */
  junk: number;
}

export interface LoadOutcome extends LoadOptions {
  joined: number;
  refused: { duplicate: number; stale: number; other: number };
  /** Replies to junk other than a duplicate/stale refusal, by reason ('accepted' would be a double count). */
  otherReasons: Record<string, number>;
  /** Refusals the coordinator counted per worker (WorkerPool.rejects), for the same reasons. */
  counted: { duplicate: number; stale: number };
  roundsDuringStorm: number;
  seconds: number;
  memory: { rssMB: number; heapUsedMB: number; rssGrowthMB: number };
  eventLoopLagMs: { p50: number; p99: number; max: number };
}

const MB = 1024 * 1024;

/**
 * A classroom's worth of lightweight clients join a training coordinator (the playground model, so
 * payloads stay small); each answers its tasks honestly, then sends its result again and again
 * (duplicates) and results for rounds long gone (stale). Training must go on, every junk submission
 * must be refused and counted, and the coordinator's memory and event-loop lag are recorded.
 */
export async function runLoad(o: LoadOptions): Promise<LoadOutcome> {
  await initNodeBackend('wasm');
  const c = await createCoordinator({ model: 'playground', batch: 64, seed: 3, port: 0 });
  c.admission.configure({ maxTabsPerIp: o.clients + 10 });
  // The one real worker computes in its own process: its compute is not the coordinator's lag.
  const honest = spawnLocalWorkers(1, c.url, { backend: 'wasm', json: true });
  await c.waitForWorkers(1);
  const memBefore = process.memoryUsage();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = performance.now();
  let rounds = 0;
  const onRound = (e: CoordinatorEvent) => void (e.type === 'round' && rounds++);
  c.on('event', onRound);
  const training = runTraining(c, { epochs: 1_000_000, minWorkers: 1 });

  const clients: RawClient[] = [];
  for (let i = 0; i < o.clients; i++) clients.push(await rawClient(c.url, { kind: 'browser', backend: 'cpu', nickname: `load-${i}` }));
  const payload = zeroPayload(c.config.state.specs);
  const refused = { duplicate: 0, stale: 0, other: 0 };
  const otherReasons: Record<string, number> = {};
  let sent = 0;
  const perClient = Math.ceil(o.junk / o.clients);
  const junkFrom = async (cl: RawClient, given: Task | undefined) => {
    const header = given ? headerFor(given, c.config.state.schemaHash) : longPast;
    for (let k = 0; k < perClient && sent < o.junk; k++) {
      sent++;
      // Alternate: the same result again, and a result for a round long past.
      const ack = await cl.submit(k % 2 === 0 ? header : { ...header, round: Math.max(0, header.round - 1000 - k) }, payload).catch(() => ({ ok: false as const, reason: 'no-ack', message: '' }));
      const reason = ack.ok ? 'accepted' : ack.reason;
      if (reason === 'duplicate') refused.duplicate++;
      else if (reason === 'stale-round') refused.stale++;
      else {
        refused.other++;
        otherReasons[reason] = (otherReasons[reason] ?? 0) + 1;
      }
    }
  };
  // Each client answers its tasks honestly. Once a few rounds have run, every client floods: copies
  // of a result it was given (duplicates while the round is open, stale after), or, with no task of
  // its own, results for a round long past. (Waiting for a task would stall: 64 samples cannot give
  // 200 clients a shard each.)
  for (const cl of clients) {
    cl.socket.on('task', (t: Task) => {
      // Keep only the latest task: the clients share this process, and what they hold is not the coordinator's memory.
      cl.tasks.splice(0, cl.tasks.length - 1);
      void cl.submit(headerFor(t, c.config.state.schemaHash), payload).catch(() => undefined);
    });
    cl.tasks.forEach((t) => void cl.submit(headerFor(t, c.config.state.schemaHash), payload).catch(() => undefined));
  }
  await new Promise<void>((resolve) => {
    const on = (e: CoordinatorEvent) => {
      if (e.type === 'round' && e.step >= 3) {
        c.off('event', on);
        resolve();
      }
    };
    c.on('event', on);
  });
  const longPast = { runId: c.runId, round: 0, version: 0, shardId: 0, count: 1, loss: 1, schemaHash: c.config.state.schemaHash, computeMs: 1 };
  await Promise.all(clients.map((cl) => junkFrom(cl, cl.tasks.at(-1))));
  const roundsDuringStorm = rounds;
  const seconds = (performance.now() - t0) / 1000;
  lag.disable();
  const memAfter = process.memoryUsage();
  const counted = { duplicate: 0, stale: 0 };
  for (const m of c.pool.list()) {
    counted.duplicate += m.rejects.duplicate ?? 0;
    counted.stale += m.rejects['stale-round'] ?? 0;
  }
  c.off('event', onRound);
  c.control.stop();
  await training;
  clients.forEach((cl) => cl.close());
  await honest.stop();
  await c.close();
  return {
    ...o,
    joined: clients.filter((cl) => cl.ack.ok).length,
    refused,
    otherReasons,
    counted,
    roundsDuringStorm,
    seconds,
    memory: { rssMB: memAfter.rss / MB, heapUsedMB: memAfter.heapUsed / MB, rssGrowthMB: (memAfter.rss - memBefore.rss) / MB },
    eventLoopLagMs: { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
  };
}
