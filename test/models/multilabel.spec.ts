import { describe, expect, it } from 'vitest';
import { MNIST_ATTRIBUTES } from '@shardgrad/data';
import { trainOnCluster } from './train-on-cluster.ts';

describe('multilabel on the cluster', () => {
  it('predicts five independent digit attributes with a high F1 for each', async () => {
    const { summary } = await trainOnCluster({ model: 'multilabel', seed: 2 }, { epochs: 1 });
    expect(summary.workers).toBe(2);
    const r = summary.report!;
    for (const a of MNIST_ATTRIBUTES) expect(r[`f1_${a}`] as number, a).toBeGreaterThan(0.75);
    // Always answering "yes" scores a mean F1 near 0.63 and "no" scores 0; one epoch reaches ~0.88.
    expect(r.meanF1 as number).toBeGreaterThan(0.85);
    expect(summary.testMetrics.binaryAccuracy!).toBeGreaterThan(0.85);
  });
});
