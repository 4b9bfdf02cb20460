import { describe, expect, it } from 'vitest';
import { trainOnCluster } from './train-on-cluster.ts';

describe('regression on the cluster', () => {
  it('learns Seattle hourly temperatures far better than the mean and beats least squares', async () => {
    const { summary } = await trainOnCluster({ model: 'regression', seed: 3 }, { epochs: 2 });
    expect(summary.workers).toBe(2);
    const r = summary.report!;
    expect(r.unit).toBe('°C');
    const [net, linear, mean] = [r.testRmse, r.linearBaselineRmse, r.meanBaselineRmse] as number[];
    // Always predicting the mean is off by ~5.4 °C, least squares by ~1.3 °C; a net that learned
    // nothing, or only a linear map, cannot get under the baseline.
    expect(mean).toBeGreaterThan(4);
    expect(linear).toBeLessThan(mean / 2);
    expect(net).toBeLessThan(linear);
    expect(r.beatsLinearBaseline).toBe('yes');
  });
});
