import { describe, expect, it } from 'vitest';
import { runPipeline } from '@shardgrad/coordinator';
import { seq2seq, type Artifact } from '@shardgrad/models';
import { startNodeWorker } from '@shardgrad/worker-node';
import { initNodeBackend } from '@shardgrad/backends/node';

describe('seq2seq on the cluster', () => {
  it('with attention, normalizes held-out dates in seen and unseen formats to ISO; the plain net runs beside it; writes a heat map', async () => {
    await initNodeBackend('wasm');
    let artifacts: Artifact[] = [];
    const summary = await runPipeline(
      {
        model: 'seq2seq',
        base: { port: 0, seed: 3, datasetOptions: { testSize: 400 } },
        minWorkers: 2,
        // 150 rounds of 64 take the attention net to ~88% exact match; the baseline only has to run.
        phaseOverrides: { attention: { epochs: 2, datasetOptions: { trainSize: 4800 } }, plain: { epochs: 1, datasetOptions: { trainSize: 320 } } },
      },
      {
        startWorkers: async (c) => {
          const ws = await Promise.all([startNodeWorker({ url: c.url, nickname: 'w1' }), startNodeWorker({ url: c.url, nickname: 'w2' })]);
          return { stop: async () => ws.forEach((w) => w.close()) };
        },
        onPhaseEnd: (c, phase) => {
          const { state, dataset, modelConfig } = c.config;
          if (phase.name === 'attention') artifacts = seq2seq.artifacts!({ model: state.model, dataset, config: { ...(modelConfig ?? {}), heatMapInput: '25 Nov 2026' } });
        },
      },
    );
    expect(summary.phases.map((p) => p.phase)).toEqual(['attention', 'plain']);
    for (const p of summary.phases) expect(p.summary.workers, p.phase).toBe(2);
    const att = summary.phases[0]!.summary.report!;
    // Exact match needs all ten characters right; guessing digits gets essentially 0.
    expect(att.exactMatchSeenFormats as number).toBeGreaterThan(0.6);
    expect(att.exactMatchHeldOutFormats as number).toBeGreaterThan(0.6);
    expect(Number.isFinite(summary.phases[1]!.summary.report!.exactMatch as number)).toBe(true);
    expect(artifacts).toHaveLength(1);
    const map = artifacts[0]!;
    expect(map.kind).toBe('image');
    if (map.kind === 'image') {
      // A labelled cell per input character and output position, plus the row and column of labels.
      expect(map.image.width).toBe(('25 Nov 2026'.length + 1) * 24);
      expect(map.image.height).toBe((10 + 1) * 24);
    }
    // 155 rounds of an LSTM encoder-decoder: the slowest model test, about 3 minutes on a loaded 2-core machine.
  }, 400_000);
});
