import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { augmentBySample, deriveSeed, epochOrder, takeRows } from '@shardgrad/data';
import { mnistMlp } from '@shardgrad/models';
import { computeGradients, weightedMean } from '@shardgrad/trainer';
import { startTestCluster } from '../support/cluster.ts';

describe('augmentation runs in the workers', () => {
  it("one round's shard-weighted mean equals one process's gradient on the whole batch, augmented per sample with the epoch's seed", async () => {
    const augment = 'crop=2,flip,translate=1,scale=0.1,rotate=10,noise=0.05';
    const cluster = await startTestCluster(
      { model: 'mnist-mlp', batch: 45, seed: 9, modelConfig: { augment } },
      [{ nickname: 'w1', samplesPerSecond: 100 }, { nickname: 'w2', samplesPerSecond: 250 }],
    );
    try {
      const c = cluster.coordinator;
      await c.waitForWorkers(2);
      expect(c.runInfo.modelConfig.augment).toBe(augment);
      const indices = epochOrder(c.config.dataset.train.n, 9, 3).subarray(0, 45);
      const augmentSeed = deriveSeed(9, 3);
      const outcome = await c.runRound(0, indices, { augmentSeed });
      expect(outcome.parts.length).toBe(2);
      const mean = weightedMean(outcome.parts).slice(0, 4);

      const { dataset, state } = c.config;
      const rows = takeRows(dataset, dataset.train, indices);
      const x = augmentBySample(rows.x, dataset.inputShape, { crop: 2, flip: true, translate: 1, scale: 0.1, rotate: 10, noise: 0.05 }, augmentSeed, indices);
      const gradientOf = (pixels: Float32Array) => {
        const [xt, yt] = [tf.tensor(pixels, [45, 28, 28, 1]), tf.tensor(rows.y, [45, 1])];
        const g = computeGradients(state.model, mnistMlp, xt, yt);
        tf.dispose([xt, yt]);
        return g;
      };
      const local = gradientOf(x);
      const plain = gradientOf(rows.x);
      let err = 0;
      let vsPlain = 0;
      local.grads.forEach((g, i) => {
        for (let j = 0; j < g.data.length; j++) {
          err = Math.max(err, Math.abs(g.data[j]! - mean[i]![j]!));
          vsPlain = Math.max(vsPlain, Math.abs(plain.grads[i]!.data[j]! - mean[i]![j]!));
        }
      });
      expect(err).toBeLessThan(1e-5);
      // And the augmentation really changed the gradient (it is not the un-augmented one).
      expect(vsPlain).toBeGreaterThan(1e-3);
    } finally {
      await cluster.close();
    }
  });
});
