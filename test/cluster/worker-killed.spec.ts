import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { mnistMlp } from '@shardgrad/models';
import { spawnLocalWorkers } from '../../apps/cli/src/local-workers.ts';
import { maxAbsDiff } from '../support/cluster.ts';
import { trainSingleProcess } from '../support/reference.ts';

const BATCH = 48;

async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}
const STEPS = 8;
const SEED = 3;

describe('a worker process killed mid-round', () => {
  it('does not stall training, and the result stays exact', async () => {
    await initNodeBackend('wasm');
    const c = await createCoordinator({ model: 'mnist-mlp', batch: BATCH, seed: SEED, port: 0 });
    // The third worker is slowed down so that it is almost always in the middle of a shard.
    const fleet = spawnLocalWorkers(3, c.url, { backend: 'wasm', json: true, extraArgs: (i) => (i === 2 ? ['--slowdown', '30'] : []) });
    const events: CoordinatorEvent[] = [];
    let killedPid: number | undefined;
    c.on('event', (e) => {
      events.push(e);
      if (e.type === 'round' && e.step === 2 && killedPid === undefined) {
        killedPid = fleet.children[2]!.pid;
        fleet.children[2]!.kill('SIGKILL');
      }
    });
    try {
      const initial = c.config.state.weights();
      const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 3 });
      expect(killedPid).toBeDefined();
      expect(summary.steps).toBe(STEPS);
      // The remaining rounds can all end (deadlines reassign the dead worker's shard) before the
      // closed socket is noticed: a few milliseconds on a fast machine. Its departure must still come.
      await waitFor(() => events.some((e) => e.type === 'worker-left'), 10_000);
      const left = events.filter((e) => e.type === 'worker-left');
      expect(left).toHaveLength(1);
      // Every round's samples add up to the batch: nothing lost, nothing counted twice.
      const rounds = events.filter((e): e is Extract<CoordinatorEvent, { type: 'round' }> => e.type === 'round');
      expect(rounds.map((r) => r.samples)).toEqual(Array(STEPS).fill(BATCH));
      expect(rounds.reduce((s, r) => s + r.reassigned, 0)).toBeGreaterThanOrEqual(1);
      const reference = trainSingleProcess(mnistMlp, c.config.dataset, initial, { batch: BATCH, steps: STEPS, seed: SEED });
      expect(maxAbsDiff(c.config.state.weights(), reference)).toBeLessThanOrEqual(1e-4);
    } finally {
      c.broadcastStop('test over');
      await fleet.stop();
      await c.close();
    }
  });
});
