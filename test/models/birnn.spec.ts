import { describe, expect, it } from 'vitest';
import { runPipeline } from '@shardgrad/coordinator';
import { startNodeWorker } from '@shardgrad/worker-node';
import { initNodeBackend } from '@shardgrad/backends/node';

describe('birnn on the cluster', () => {
  it('the bidirectional LSTM tags "reappears k steps later" almost perfectly; the forward-only net stays at chance', async () => {
    await initNodeBackend('wasm');
    const summary = await runPipeline(
      {
        model: 'birnn',
        base: { port: 0, seed: 3, datasetOptions: { trainSize: 1500, testSize: 400 } },
        minWorkers: 2,
        // Three epochs of 47 rounds reach ~99% for the bidirectional net; the forward one needs no more to show it cannot.
        phaseOverrides: { bidirectional: { epochs: 3 }, forward: { epochs: 1 } },
      },
      {
        startWorkers: async (c) => {
          const ws = await Promise.all([startNodeWorker({ url: c.url, nickname: 'w1' }), startNodeWorker({ url: c.url, nickname: 'w2' })]);
          return { stop: async () => ws.forEach((w) => w.close()) };
        },
      },
    );
    expect(summary.phases.map((p) => p.phase)).toEqual(['bidirectional', 'forward']);
    for (const p of summary.phases) expect(p.summary.workers, p.phase).toBe(2);
    const { bidirectionalAccuracy, forwardAccuracy } = summary.comparison;
    // Held-out sequences; labels are balanced coin flips of the future, so reading left to right gives ~50%.
    expect(bidirectionalAccuracy).toBeGreaterThan(0.95);
    expect(forwardAccuracy).toBeGreaterThan(0.4);
    expect(forwardAccuracy).toBeLessThan(0.6);
  });
});
