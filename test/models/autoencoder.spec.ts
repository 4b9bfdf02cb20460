import { describe, expect, it } from 'vitest';
import { isReconstructionDataset } from '@shardgrad/data';
import { getModel } from '@shardgrad/models';
import { trainOnCluster } from './train-on-cluster.ts';

describe('autoencoder on the cluster', () => {
  it('reconstructs held-out digits better than the mean image, and exports projector files and a grid', async () => {
    const { summary, ctx } = await trainOnCluster({ model: 'autoencoder', seed: 1 }, { epochs: 1, maxSteps: 120 });
    expect(summary.workers).toBe(2);
    const { train, test } = ctx.dataset;
    // The mean training image is the best constant guess; a model that ignores its input cannot beat it.
    const pixels = 784;
    const mean = new Float64Array(pixels);
    for (let i = 0; i < train.n * pixels; i++) mean[i % pixels]! += train.x[i]! / train.n;
    let se = 0;
    for (let i = 0; i < test.n * pixels; i++) se += (test.x[i]! - mean[i % pixels]!) ** 2;
    const meanImageMse = se / (test.n * pixels);
    const mse = summary.report!.msePerPixel as number;
    expect(mse).toBeCloseTo(summary.testLoss, 4);
    expect(mse).toBeLessThan(meanImageMse * 0.6);

    const files = getModel('autoencoder').artifacts!(ctx);
    const byName = Object.fromEntries(files.map((f) => [f.file, f]));
    const vectors = byName['projector/vectors.tsv']!;
    const metadata = byName['projector/metadata.tsv']!;
    if (vectors.kind !== 'text' || metadata.kind !== 'text') throw new Error('projector files must be text');
    const rows = vectors.text.trimEnd().split('\n');
    expect(rows).toHaveLength(test.n);
    expect(rows[0]!.split('\t')).toHaveLength(32);
    expect(metadata.text.trimEnd().split('\n')).toEqual(Array.from(isReconstructionDataset(ctx.dataset) ? ctx.dataset.testDigits : [], String));
    const grid = byName['reconstructions.png']!;
    expect(grid.kind === 'image' && grid.image.width > 0).toBe(true);
  });
});
