import { describe, expect, it } from 'vitest';
import { runTraining } from '@shardgrad/coordinator';
import { startTestCluster } from '../support/cluster.ts';

const train = async (opts: Parameters<typeof startTestCluster>[0], plan: { epochs: number; maxSteps?: number }) => {
  const cluster = await startTestCluster(opts, [{ nickname: 'w1' }, { nickname: 'w2' }]);
  try {
    return { summary: await runTraining(cluster.coordinator, { ...plan, minWorkers: 2 }), c: cluster.coordinator };
  } finally {
    await cluster.close();
  }
};

describe('mnist-mlp on the cluster', () => {
  it('learns MNIST digits', async () => {
    const { summary } = await train({ model: 'mnist-mlp', seed: 1 }, { epochs: 1, maxSteps: 60 });
    expect(summary.workers).toBe(2);
    // 60 steps of 64 digits; chance is 10%.
    expect(summary.testAccuracy).toBeGreaterThan(0.85);
  });

  it('learns Fashion-MNIST', async () => {
    const { summary } = await train({ model: 'mnist-mlp', dataset: 'fashion-mnist', seed: 1, datasetOptions: { trainLimit: 3000, testLimit: 1000 } }, { epochs: 1 });
    expect(summary.workers).toBe(2);
    expect(summary.testAccuracy).toBeGreaterThan(0.7);
  });

  it('trains with every common option on: standardized inputs, batch norm, dropout, L1 and L2', async () => {
    const { summary, c } = await train(
      {
        model: 'mnist-mlp',
        dataset: 'fashion-mnist',
        seed: 1,
        modelConfig: { normalize: true, batchNorm: true, dropout: 0.2, l1: 1e-6, l2: 1e-4 },
        datasetOptions: { trainLimit: 3000, testLimit: 1000 },
      },
      { epochs: 1 },
    );
    const norm = c.runInfo.modelConfig.normalize as { mean: number; std: number };
    // Fashion-MNIST pixels: mean ≈ 0.29, std ≈ 0.35, resolved once by the coordinator for every worker.
    expect(norm.mean).toBeGreaterThan(0.25);
    expect(norm.mean).toBeLessThan(0.33);
    expect(norm.std).toBeGreaterThan(0.3);
    expect(norm.std).toBeLessThan(0.4);
    expect(c.config.state.model.layers.map((l) => l.getClassName())).toEqual([
      'Rescaling', 'Flatten', 'Dense', 'BatchNormalization', 'Activation', 'Dropout', 'Dense',
    ]);
    expect(summary.testAccuracy).toBeGreaterThan(0.7);
  });
});
