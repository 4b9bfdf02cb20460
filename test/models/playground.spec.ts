import { describe, expect, it } from 'vitest';
import { getModel } from '@shardgrad/models';
import { trainOnCluster } from './train-on-cluster.ts';

describe('playground on the cluster', () => {
  it('separates the circle (no line can) and draws the boundary with blue inside, orange outside', async () => {
    const { summary, ctx } = await trainOnCluster({ model: 'playground', dataset: 'circle', seed: 1 }, { epochs: 30 });
    expect(summary.workers).toBe(2);
    // A linear boundary tops out near 60% on the circle.
    expect(summary.testAccuracy).toBeGreaterThanOrEqual(0.9);
    const [png] = getModel('playground').artifacts!(ctx);
    expect(png!.kind).toBe('image');
    if (png!.kind !== 'image') return;
    const { width, height, data } = png!.image;
    expect([width, height]).toEqual([300, 300]);
    const at = (x: number, y: number) => Array.from(data.subarray((y * width + x) * 4, (y * width + x) * 4 + 3));
    const [centre, corner] = [at(150, 150), at(3, 3)];
    expect(centre[2]!).toBeGreaterThan(centre[0]!); // blue
    expect(corner[0]!).toBeGreaterThan(corner[2]!); // orange
  });

  it('learns xor with relu and an L2 penalty', async () => {
    const { summary } = await trainOnCluster(
      { model: 'playground', dataset: 'xor', seed: 1, modelConfig: { activation: 'relu', l2: 1e-4 }, datasetOptions: { noise: 0.05 } },
      { epochs: 30 },
    );
    expect(summary.testAccuracy).toBeGreaterThanOrEqual(0.9);
  });
});
