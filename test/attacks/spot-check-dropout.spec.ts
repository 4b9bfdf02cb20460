import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, enableSpotChecks, runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { startNodeWorker } from '@shardgrad/worker-node';

type Ev<T extends CoordinatorEvent['type']> = Extract<CoordinatorEvent, { type: T }>;

/**
 * Spot checks recompute a worker's shard. With dropout, each worker's masks used to be random, so
 * every check of an honest worker failed and it was dropped after a few rounds (a classroom CNN has
 * dropout by default). Masks are now drawn per sample from the round's seed, on every worker, in
 * every thread and in the check.
 */
describe('spot checks of a model with dropout', () => {
  it('pass honest workers, one of them computing on 2 threads, and still catch a subtly wrong one', async () => {
    await initNodeBackend('wasm');
    const c = await createCoordinator({ model: 'mnist-mlp', batch: 48, seed: 5, port: 0, modelConfig: { dropout: 0.3 } });
    const events: CoordinatorEvent[] = [];
    c.on('event', (e) => events.push(e));
    const stop = enableSpotChecks(c, { fraction: 1, includeTrusted: true });
    const honest = await startNodeWorker({ url: c.url, nickname: 'honest', reconnect: false });
    const threaded = await startNodeWorker({ url: c.url, nickname: 'threaded', threads: 2, reconnect: false });
    const subtle = await startNodeWorker({
      url: c.url,
      nickname: 'subtle',
      reconnect: false,
      tamper: (grads) => grads.map((t) => ({ ...t, data: t.data.map((v) => v * 1.01) as Float32Array })),
    });
    try {
      const summary = await runTraining(c, { epochs: 1, maxSteps: 5, minWorkers: 3 });
      expect(summary.steps).toBe(5);
      const nick = (id: string) => c.pool.views().find((v) => v.id === id)?.nickname;
      const checks = events.filter((e): e is Ev<'spot-check'> => e.type === 'spot-check');
      for (const name of ['honest', 'threaded']) {
        const mine = checks.filter((e) => nick(e.workerId) === name);
        expect(mine.length, `${name} was checked`).toBeGreaterThan(0);
        expect(mine.every((e) => e.ok), `${name}: ${mine.map((e) => e.maxError).join(', ')}`).toBe(true);
      }
      const caught = checks.filter((e) => nick(e.workerId) === 'subtle');
      expect(caught.length).toBeGreaterThan(0);
      expect(caught.every((e) => !e.ok)).toBe(true);
      expect(events.some((e) => e.type === 'worker-dropped' && nick(e.workerId) !== 'subtle')).toBe(false);
    } finally {
      stop();
      honest.close();
      threaded.close();
      subtle.close();
      c.broadcastStop('test done');
      await c.close();
    }
  });
});
