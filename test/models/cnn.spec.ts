import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runTraining } from '@shardgrad/coordinator';
import { evaluate, stateVariables } from '@shardgrad/trainer';
import { startTestCluster } from '../support/cluster.ts';

describe('cnn on the cluster', () => {
  it('trains with batch norm, dropout and augmentation in the workers, and the coordinator evaluates with the averaged batch-norm statistics', async () => {
    // The model's defaults (batch norm, dropout, flips in the workers) at a smaller width.
    const cluster = await startTestCluster(
      { model: 'cnn', batch: 50, seed: 4, split: 'equal', modelConfig: { filters: 8, dense: 32 }, datasetOptions: { trainLimit: 1000, testLimit: 500 } },
      [{ nickname: 'w1' }, { nickname: 'w2' }],
    );
    try {
      const c = cluster.coordinator;
      expect(c.runInfo.modelConfig).toMatchObject({ batchNorm: true, dropout: 0.1, augment: 'flip', filters: 8 });
      const summary = await runTraining(c, { epochs: 2, minWorkers: 2, options: { warmupSteps: 5 } });
      expect(summary.workers).toBe(2);
      // Fashion-MNIST has 10 classes: chance is 10%; 1000 images, 40 steps.
      expect(summary.testAccuracy).toBeGreaterThan(0.6);

      // The batch-norm statistics the coordinator holds came from the workers' forward passes...
      const { state, dataset } = c.config;
      const bn = state.model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
      expect(bn.length).toBe(3);
      const stats = stateVariables(state.model).map((v) => Array.from(v.dataSync()));
      expect(stats.length).toBe(6);
      const [mean0, var0] = [stats[0]!, stats[1]!];
      expect(mean0.some((v) => Math.abs(v) > 1e-3)).toBe(true);
      expect(var0.some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
      // ...and the test accuracy depends on them: with the initial statistics (0, 1) inference breaks down.
      const moving = stateVariables(state.model);
      const saved = moving.map((v) => v.clone());
      tf.tidy(() => moving.forEach((v, i) => v.assign(i % 2 === 0 ? tf.zerosLike(v) : tf.onesLike(v))));
      const reset = evaluate(state.model, state.def, dataset, dataset.test);
      moving.forEach((v, i) => v.assign(saved[i]!));
      saved.forEach((t) => t.dispose());
      // The averaged statistics must clearly matter. At this tiny scale (40 steps) two runs are not bit
      // for bit alike, and the accuracies were 3–12 pp apart over nine runs (this code and the last
      // session's), too close for a margin; the test loss rose by 0.22–0.25 in each of the six runs
      // that printed it (1.48–1.51 → 1.70–1.75).
      expect(reset.loss).toBeGreaterThan(summary.testLoss + 0.1);
      expect(reset.metrics.accuracy!).toBeLessThan(summary.testAccuracy);
    } finally {
      await cluster.close();
    }
  });
});
