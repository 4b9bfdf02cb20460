import { describe, expect, it } from 'vitest';
import { runTraining } from '@shardgrad/coordinator';
import { mnistMlp } from '@shardgrad/models';
import { maxAbsDiff, startTestCluster } from '../support/cluster.ts';
import { trainSingleProcess } from '../support/reference.ts';

// 37 does not divide by 2 or 3, and the speed hints differ, so shards are uneven.
const BATCH = 37;
const STEPS = 6;
const SEED = 7;

describe('synchronous data parallelism is exact', () => {
  for (const workers of [1, 2, 3]) {
    it(`${workers} worker(s) end with the parameters of one process on whole batches`, async () => {
      const cluster = await startTestCluster(
        { model: 'mnist-mlp', batch: BATCH, seed: SEED },
        Array.from({ length: workers }, (_, i) => ({ nickname: `w${i}`, samplesPerSecond: 500 * (i + 1) })),
      );
      try {
        const c = cluster.coordinator;
        const initial = c.config.state.weights();
        const shardSizes = new Set<string>();
        c.on('event', (e) => {
          if (e.type === 'round') shardSizes.add(String(e.workers));
        });
        const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: workers });
        expect(summary.steps).toBe(STEPS);
        expect(summary.workers).toBe(workers);
        const reference = trainSingleProcess(mnistMlp, c.config.dataset, initial, { batch: BATCH, steps: STEPS, seed: SEED });
        const moved = maxAbsDiff(reference, initial);
        expect(moved).toBeGreaterThan(1e-3); // training really changed the weights
        expect(maxAbsDiff(c.config.state.weights(), reference)).toBeLessThanOrEqual(1e-4);
      } finally {
        await cluster.close();
      }
    });
  }
});
