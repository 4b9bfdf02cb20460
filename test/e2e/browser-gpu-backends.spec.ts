import { describe, expect, it } from 'vitest';
import { runTraining } from '@shardgrad/coordinator';
import { haveChromium, snapshot, waitForPhase } from './support/chromium.ts';
import { startBrowserCluster } from './support/browser-cluster.ts';

const BATCH = 32;
const STEPS = 4;

if (!haveChromium) console.warn('browser e2e skipped: no /usr/bin/chromium (apt-get install chromium)');

type Hooks = { shardgrad: { loseDevice(): Promise<string | undefined> } };

// One tab per run: on SwiftShader the GPU backends are slower than wasm, and next to a faster
// worker a GPU tab's late shards would be recomputed elsewhere, so nothing would show it trained.
describe.skipIf(!haveChromium)('a browser tab on a GPU backend (SwiftShader)', () => {
  for (const backend of ['webgl', 'webgpu'] as const) {
    it(`calibrates and trains on ${backend}, then carries on elsewhere when the GPU is lost`, async () => {
      const cluster = await startBrowserCluster({ model: 'mnist-mlp', batch: BATCH, seed: 2 });
      try {
        const c = cluster.coordinator;
        const page = await cluster.openTab(`?backend=${backend}&name=${backend}-tab`);
        await waitForPhase(page, ['waiting', 'error']);

        // 1. It calibrated the GPU backend against cpu, chose it, and told the coordinator.
        const s = await snapshot(page);
        expect(s.phase, s.message).toBe('waiting');
        expect(s.backend).toBe(backend);
        const mine = s.calibration!.results.find((r) => r.backend === backend)!;
        expect(mine.available, mine.error).toBe(true);
        expect(mine.matches).toBe(true);
        expect(mine.relativeError).toBeLessThan(1e-4);
        expect(s.calibration!.results.find((r) => r.backend === 'cpu')?.matches).toBe(true);
        const joined = c.pool.views().find((v) => v.id === s.workerId)!;
        expect(joined).toMatchObject({ kind: 'browser', backend, nickname: `${backend}-tab` });
        expect(joined.samplesPerSecond).toBeGreaterThan(0);

        // 2. It trains there.
        await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 1 });
        expect(c.pool.views().find((v) => v.id === s.workerId)).toMatchObject({ backend, samples: STEPS * BATCH });

        // 3. Its GPU goes away (a lost WebGL context, a destroyed WebGPU device); training goes on.
        expect(await page.evaluate(() => (globalThis as never as Hooks).shardgrad.loseDevice())).toBe(backend);
        await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 1 });
        await page.waitForFunction(() => document.getElementById('app')?.dataset.phase === 'waiting');

        // 4. It fell back, joined again under the new backend, and did the rounds there.
        const after = await snapshot(page);
        expect(after.fallbacks[0]?.from, JSON.stringify(after.fallbacks)).toBe(backend);
        expect(after.backend).not.toBe(backend);
        expect(after.backend).toBe(after.fallbacks.at(-1)!.to);
        // With resume keys the tab rejoins as itself; what must change is the backend it reports.
        const view = c.pool.views().find((v) => v.id === after.workerId)!;
        expect(view).toMatchObject({ kind: 'browser', backend: after.backend });
        expect(after.contribution.samples).toBe(2 * STEPS * BATCH);
        // The page draws a few times a second (render-throttle.ts): the student sees it within that.
        await page.waitForFunction(() => /stopped working/.test(document.getElementById('fallback')?.textContent ?? ''), undefined, { timeout: 5000 });

        // Every round counted each sample exactly once, GPU loss or not.
        const rounds = cluster.events.filter((e) => e.type === 'round');
        expect(rounds.map((e) => e.samples)).toEqual(Array(2 * STEPS).fill(BATCH));
        expect(cluster.errors).toEqual([]);
      } finally {
        await cluster.close();
      }
    });
  }
});
