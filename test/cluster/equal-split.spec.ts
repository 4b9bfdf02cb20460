import { describe, expect, it } from 'vitest';
import { createCoordinator, runTraining } from '@shardgrad/coordinator';
import { maxAbsDiff, startTestCluster } from '../support/cluster.ts';

const STEPS = 12;
const BATCH = 64;

/** Trains with --split equal on two workers, one of them slowed by `slowdown`; returns the final weights and each round's shares. */
async function trainEqual(slowdown: number) {
  const cluster = await startTestCluster({ model: 'mnist-mlp', seed: 5, batch: BATCH, split: 'equal' }, [{ nickname: 'w1' }, { nickname: 'w2', slowdown }]);
  try {
    const c = cluster.coordinator;
    const shares: number[][] = [];
    c.on('event', (e) => {
      if (e.type === 'workers') shares.push(e.workers.map((w) => w.share));
    });
    const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 2 });
    expect(summary.steps).toBe(STEPS);
    return { weights: c.config.state.weights(), shares };
  } finally {
    await cluster.close();
  }
}

describe('--split equal', () => {
  it('gives every worker the same share whatever its speed, so two runs of a seed end bit for bit alike', async () => {
    const even = await trainEqual(1);
    // The second run's w2 is three times slower: by speed it would get about a quarter of each batch.
    const uneven = await trainEqual(3);
    for (const run of [even, uneven]) {
      expect(run.shares).toHaveLength(STEPS);
      for (const s of run.shares) expect(s).toEqual([0.5, 0.5]);
    }
    expect(maxAbsDiff(even.weights, uneven.weights)).toBe(0);
  }, 120_000);

  it('is refused when unknown', async () => {
    await expect(createCoordinator({ model: 'mnist-mlp', split: 'fastest' as 'equal', port: 0 })).rejects.toThrow(/unknown split "fastest"; choose one of: speed, equal/);
  });
});
