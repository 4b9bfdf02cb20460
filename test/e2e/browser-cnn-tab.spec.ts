import { describe, expect, it } from 'vitest';
import { enableSpotChecks, runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { haveChromium, snapshot, waitForPhase } from './support/chromium.ts';
import { startBrowserCluster } from './support/browser-cluster.ts';

const STEPS = 4;

describe.skipIf(!haveChromium)('a tab on the curriculum CNN (dropout, batch norm, flip augmentation)', () => {
  it('calibrates wasm with our SIMD kernels against cpu, trains on it, and passes every spot check', async () => {
    const cluster = await startBrowserCluster({ model: 'cnn', batch: 32, seed: 1 });
    try {
      const tab = await cluster.openTab('?name=cnn&backend=wasm');
      await waitForPhase(tab, ['waiting', 'error']);
      const s = await snapshot(tab);
      expect(s.phase, s.message).toBe('waiting');
      // Dropout draws the same mask on every backend while calibrating (seedDropout), so the gradients
      // compare; tfjs's own wasm kernels missed cpu's by 1.4e-3 here, ours by ~6e-7.
      const wasm = s.calibration!.results.find((r) => r.backend === 'wasm');
      expect(wasm).toMatchObject({ available: true, matches: true, kernels: 'shardgrad SIMD kernels' });
      expect(s.backend).toBe('wasm');
      // The coordinator recomputes every shard: the tab's dropout masks (per sample, from the round's
      // seed) are the coordinator's, so an honest tab passes (with random masks it was struck each round).
      const stop = enableSpotChecks(cluster.coordinator, { fraction: 1 });
      const summary = await runTraining(cluster.coordinator, { epochs: 1, maxSteps: STEPS, minWorkers: 1 });
      stop();
      expect(summary.steps).toBe(STEPS);
      const checks = cluster.events.filter((e): e is Extract<CoordinatorEvent, { type: 'spot-check' }> => e.type === 'spot-check');
      expect(checks).toHaveLength(STEPS);
      expect(checks.every((e) => e.ok), checks.map((e) => e.maxError).join(', ')).toBe(true);
      const after = await snapshot(tab);
      expect(after.contribution).toEqual({ samples: summary.samples, rounds: STEPS });
      expect(cluster.errors).toEqual([]);
    } finally {
      await cluster.close();
    }
  });
});
