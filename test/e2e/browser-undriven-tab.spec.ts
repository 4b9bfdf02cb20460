import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, runTraining } from '@shardgrad/coordinator';
import { haveChromium, openUndrivenTab } from './support/chromium.ts';

const BATCH = 64;
const STEPS = 8;

if (!haveChromium) console.warn('browser e2e skipped: no /usr/bin/chromium (apt-get install chromium)');

const profiles = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('shardgrad-tab-'));

describe.skipIf(!haveChromium)('a tab with no test driver attached', () => {
  // The browser bench times rounds in such a tab, and a student's tab is one: nothing may depend on playwright.
  it('calibrates, joins and trains from the URL alone, and leaves no profile behind', async () => {
    await initNodeBackend('wasm');
    const c = await createCoordinator({ model: 'mnist-mlp', batch: BATCH, seed: 3, port: 0 });
    const before = await profiles();
    const tab = await openUndrivenTab(`${c.url}/?backend=wasm&name=undriven`);
    try {
      const deadline = Date.now() + 120_000;
      while (c.pool.size === 0) {
        expect(Date.now(), 'the tab joined within 2 minutes').toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 100));
      }
      const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 1 });
      expect(summary.steps).toBe(STEPS);
      const view = c.pool.views().find((v) => v.nickname === 'undriven')!;
      expect(view).toMatchObject({ kind: 'browser', backend: 'wasm', samples: STEPS * BATCH, rounds: STEPS });
      expect(view.samplesPerSecond).toBeGreaterThan(0);
    } finally {
      await tab.close();
      c.broadcastStop('test done');
      await c.close();
    }
    expect(await profiles()).toEqual(before);
  });
});
