import { describe, expect, it } from 'vitest';
import { attachAdaptiveBatch, runTraining, type CoordinatorEvent, type NoiseScaleEvent } from '@shardgrad/coordinator';
import { startTestCluster } from '../support/cluster.ts';

type Available = Extract<NoiseScaleEvent, { available: true }>;

async function status(url: string): Promise<{ noiseScale: NoiseScaleEvent | null }> {
  const res = await fetch(`${url}/api/status`);
  return (await res.json()) as { noiseScale: NoiseScaleEvent | null };
}

describe('the coordinator reports the gradient noise scale live', () => {
  it('emits a noise-scale event each round with three unequal shards, and serves the latest in /api/status', async () => {
    // Unequal speeds give unequal shards: the estimator's general case.
    const cluster = await startTestCluster({ model: 'mnist-mlp', batch: 60, seed: 3 }, [
      { nickname: 'a', samplesPerSecond: 400 },
      { nickname: 'b', samplesPerSecond: 800 },
      { nickname: 'c', samplesPerSecond: 1600 },
    ]);
    try {
      const c = cluster.coordinator;
      const events: CoordinatorEvent[] = [];
      c.on('event', (e) => events.push(e));
      expect((await status(c.url)).noiseScale).toBeNull();
      await runTraining(c, { epochs: 1, maxSteps: 12, minWorkers: 3 });
      const noise = events.filter((e): e is Available => e.type === 'noise-scale' && e.available);
      const rounds = events.filter((e) => e.type === 'round');
      expect(noise).toHaveLength(rounds.length);
      expect(noise.map((e) => e.step)).toEqual(rounds.map((e) => e.step));
      for (const e of noise) {
        expect(e.batch).toBe(60);
        expect(e.shards).toBeGreaterThanOrEqual(2);
        expect(e.trace).toBeGreaterThan(0);
        expect(Number.isFinite(e.gradSq)).toBe(true);
      }
      const last = noise[noise.length - 1]!;
      expect(last.rounds).toBe(12);
      // Early in training on MNIST the true gradient is well above its noise at batch 60.
      expect(last.bSimple).not.toBeNull();
      expect(last.bSimple!).toBeGreaterThan(1);
      expect(last.batchOverNoise).toBeCloseTo(60 / last.bSimple!, 9);
      expect(last.advice.kind).not.toBe('warming-up');
      expect(last.advice.message).toMatch(/critical batch|noise/);
      // People hear the advice only when it changes.
      expect(noise.filter((e) => e.adviceChanged).length).toBeLessThan(noise.length);
      const live = (await status(c.url)).noiseScale;
      expect(live).toMatchObject({ type: 'noise-scale', available: true, step: last.step, rounds: 12 });
    } finally {
      await cluster.close();
    }
  });

  it('says once, plainly, that one worker cannot measure it', async () => {
    const cluster = await startTestCluster({ model: 'mnist-mlp', batch: 32, seed: 3 }, [{ nickname: 'solo' }]);
    try {
      const c = cluster.coordinator;
      const events: CoordinatorEvent[] = [];
      c.on('event', (e) => events.push(e));
      await runTraining(c, { epochs: 1, maxSteps: 4, minWorkers: 1 });
      const noise = events.filter((e) => e.type === 'noise-scale');
      expect(noise).toEqual([{ type: 'noise-scale', step: 1, available: false, reason: expect.stringMatching(/two or more shards/) }]);
      expect((await status(c.url)).noiseScale).toMatchObject({ available: false });
      expect(c.noiseScale.statistics).toBeUndefined();
    } finally {
      await cluster.close();
    }
  });

  it('with adaptive batch, grows the global batch between rounds towards the noise scale, bounded', async () => {
    // Equal shares: by speed, a batch of 8 on a loaded machine could leave one worker without samples,
    // and a round of one shard has no noise scale, so in a CI run the estimate never settled in time.
    const cluster = await startTestCluster({ model: 'mnist-mlp', batch: 8, seed: 5, split: 'equal' }, [{ nickname: 'a' }, { nickname: 'b' }]);
    try {
      const c = cluster.coordinator;
      const events: CoordinatorEvent[] = [];
      c.on('event', (e) => events.push(e));
      const detach = attachAdaptiveBatch(c, { maxBatch: 32, everySteps: 2 });
      await runTraining(c, { epochs: 1, maxSteps: 24, minWorkers: 2 });
      detach();
      const grown = events.filter((e): e is Extract<CoordinatorEvent, { type: 'adaptive-batch' }> => e.type === 'adaptive-batch');
      expect(grown.length).toBeGreaterThan(0);
      for (const g of grown) {
        expect(g.to).toBeGreaterThan(g.from);
        expect(g.to).toBeLessThanOrEqual(Math.min(32, g.from * 2));
        // Never past the noise scale measured when it grew.
        if (g.bSimple !== null) expect(g.to).toBeLessThanOrEqual(Math.max(g.from, Math.floor(g.bSimple)));
      }
      // The first growth waits for the estimate to settle (10 rounds), then at most one per 2 steps.
      expect(grown[0]!.step).toBeGreaterThanOrEqual(10);
      grown.slice(1).forEach((g, i) => expect(g.step - grown[i]!.step).toBeGreaterThanOrEqual(2));
      // Every round trained on exactly the batch in force when it started.
      const rounds = events.filter((e): e is Extract<CoordinatorEvent, { type: 'round' }> => e.type === 'round');
      // (A growth decided after round s, from its noise estimate, applies from round s + 1.)
      let batch = 8;
      let next = 8;
      for (const e of events) {
        if (e.type === 'adaptive-batch') next = e.to;
        if (e.type === 'round') {
          expect(e.samples).toBe(batch);
          batch = next;
        }
      }
      // The batch in force now is the last one decided, which a growth after the final round may have set.
      expect(rounds.length).toBe(24);
      expect(c.config.batch).toBe(next);
    } finally {
      await cluster.close();
    }
  });
});
