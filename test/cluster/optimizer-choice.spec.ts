import { describe, expect, it } from 'vitest';
import { runTraining } from '@shardgrad/coordinator';
import type { OptimizerName } from '@shardgrad/models';
import { startTestCluster } from '../support/cluster.ts';

/** A learning rate each optimizer trains well with in a few steps (SGD needs a larger one). */
const RATES: Record<OptimizerName, number> = { sgd: 0.3, momentum: 0.05, rmsprop: 0.002, adam: 0.003 };

describe('the optimizer choice reaches the coordinator and trains', () => {
  it.each(Object.entries(RATES) as [OptimizerName, number][])('%s', async (optimizer, learningRate) => {
    const cluster = await startTestCluster({ model: 'mnist-mlp', seed: 3, optimizer, learningRate }, [{ nickname: 'w1' }, { nickname: 'w2' }]);
    try {
      const c = cluster.coordinator;
      const opt = c.config.state.optimizer as unknown as { name: string; learningRate: number };
      expect(opt.name.toLowerCase()).toBe(optimizer);
      expect(opt.learningRate).toBe(learningRate);
      const summary = await runTraining(c, { epochs: 1, maxSteps: 25, minWorkers: 2 });
      // 25 steps of 64 digits: far above the 10% of chance with any of the four.
      expect(summary.testAccuracy).toBeGreaterThan(0.7);
    } finally {
      await cluster.close();
    }
  });
});
