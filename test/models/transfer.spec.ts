import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { runPipeline } from '@shardgrad/coordinator';
import { startNodeWorker } from '@shardgrad/worker-node';

const baseWeights = (c: Parameters<NonNullable<Parameters<typeof runPipeline>[1]['onPhaseEnd']>>[0]) =>
  c.config.state.model.layers.filter((l) => l.name.startsWith('base_')).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));

describe('transfer on the cluster', () => {
  it('pre-trains a base on classes 0-4, fine-tunes a new head on 100 examples per class of 5-9 with the base frozen, and runs the scratch baseline', async () => {
    await initNodeBackend('wasm');
    const finals: Record<string, number[][]> = {};
    const sizes: Record<string, { train: number; test: number; classes: number }> = {};
    const summary = await runPipeline(
      {
        model: 'transfer',
        // Small: the first 2000 training images hold ~200 of each class, enough for 100 per class.
        base: { port: 0, datasetOptions: { trainLimit: 2000, testLimit: 500 } },
        minWorkers: 2,
        phaseOverrides: { pretrain: { epochs: 2 }, finetune: { epochs: 8 }, scratch: { epochs: 2 } },
      },
      {
        startWorkers: async (c) => {
          const ws = await Promise.all([startNodeWorker({ url: c.url, nickname: 'w1' }), startNodeWorker({ url: c.url, nickname: 'w2' })]);
          return { stop: async () => ws.forEach((w) => w.close()) };
        },
        onPhaseStart: (c, phase) => {
          const ds = c.config.dataset;
          sizes[phase.name] = { train: ds.train.n, test: ds.test.n, classes: ds.numClasses };
          if (phase.name === 'finetune') finals.finetuneStart = baseWeights(c);
        },
        onPhaseEnd: (c, phase) => {
          finals[phase.name] = baseWeights(c);
        },
      },
    );
    expect(summary.phases.map((p) => p.phase)).toEqual(['pretrain', 'finetune', 'scratch']);
    for (const p of summary.phases) expect(p.summary.workers, p.phase).toBe(2);
    expect(sizes.finetune).toEqual({ train: 500, test: sizes.finetune!.test, classes: 5 });
    expect(sizes.scratch!.train).toBe(500);
    expect(sizes.pretrain!.classes).toBe(5);
    // The fine-tune run started from the pre-trained base and never changed it: only the head learned.
    expect(finals.finetuneStart).toEqual(finals.pretrain);
    expect(finals.finetune).toEqual(finals.pretrain);
    // Held-out classes 5-9, chance is 20%: a head on frozen, unrelated features could not get here.
    const [pre, fine, scratch] = summary.phases.map((p) => p.summary.testAccuracy);
    expect(pre).toBeGreaterThan(0.7);
    expect(fine).toBeGreaterThan(0.7);
    expect(scratch).toBeGreaterThan(0.2);
    expect(summary.comparison.transferGainPp).toBeCloseTo((fine! - scratch!) * 100, 6);
  });
});
