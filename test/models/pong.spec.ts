import { describe, expect, it } from 'vitest';
import { runTraining } from '@shardgrad/coordinator';
import { pong, readSync } from '@shardgrad/models';
import { roundSeed, writeAll } from '@shardgrad/trainer';
import * as tf from '@tensorflow/tfjs';
import { maxAbsDiff, startTestCluster } from '../support/cluster.ts';

const BATCH = 4; // episodes per round
const STEPS = 2;
const SEED = 11;

/**
 * Episodes are the work unit: two workers playing a round's episodes must produce exactly the
 * update one process makes from all of them, weighted by timesteps, not by episode count.
 */
describe('pong on the cluster', () => {
  it('two workers playing episodes give the update of one process on the whole round, weighted by timesteps', async () => {
    const cluster = await startTestCluster(
      // checkEpisodes 0: no 1,000-episode comparison in the report, which this test does not look at.
      { model: 'pong', batch: BATCH, seed: SEED, modelConfig: { checkEpisodes: 0 }, datasetOptions: { episodes: 50, evalEpisodes: 2 } },
      [{ nickname: 'a', samplesPerSecond: 100 }, { nickname: 'b', samplesPerSecond: 300 }],
    );
    try {
      const c = cluster.coordinator;
      const initial = c.config.state.weights();
      const rounds: { samples: number; workers: number }[] = [];
      c.on('event', (e) => {
        if (e.type === 'round') rounds.push({ samples: e.samples, workers: e.workers });
      });
      const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 2 });
      expect(summary.steps).toBe(STEPS);
      expect(rounds.some((r) => r.workers === 2)).toBe(true);
      // Timesteps, not episodes, weight the mean: a served ball needs ≥ 20 frames (5 decisions at a
      // repeat of 4) to leave the court, so every round holds several decisions per episode.
      expect(rounds.every((r) => r.samples >= BATCH * 5)).toBe(true);

      // One process: the same episodes of each round, all at once, through the same step and optimizer.
      const ds = c.config.dataset;
      const model = pong.build({ inputShape: ds.inputShape, numClasses: 0, seed: SEED, config: {} });
      writeAll(model, initial);
      const { createOptimizer } = await import('@shardgrad/trainer');
      const opt = createOptimizer(pong.optimizer);
      const { epochOrder } = await import('@shardgrad/data');
      const order = epochOrder(ds.train.n, SEED, 0);
      for (let step = 0; step < STEPS; step++) {
        const r = readSync(pong.customStep!.compute({ model, dataset: ds, config: {}, indices: order.subarray(step * BATCH, (step + 1) * BATCH), seed: roundSeed(SEED, step) }));
        expect(r.count).toBe(rounds[step]!.samples);
        const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const params = vars.map((v) => v.dataSync().slice() as Float32Array);
        opt.apply(params, r.grads.map((g) => g.dataSync() as Float32Array));
        r.grads.forEach((g) => g.dispose());
        vars.forEach((v, i) => v.assign(tf.tensor(params[i]!, v.shape)));
      }
      // Trainable weights, then the running return statistics (state): both must match.
      const single = [...model.trainableWeights, ...model.nonTrainableWeights].map((w) => ({ data: w.read().dataSync() }));
      expect(maxAbsDiff(c.config.state.weights(), single)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(c.config.state.weights(), initial)).toBeGreaterThan(1e-4);
      expect(Number.isFinite(summary.testMetrics.meanReturn)).toBe(true);
    } finally {
      await cluster.close();
    }
  });
});
