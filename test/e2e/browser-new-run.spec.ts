import { describe, expect, it } from 'vitest';
import { prepareRun, runTraining } from '@shardgrad/coordinator';
import { haveChromium, snapshot, waitForPhase } from './support/chromium.ts';
import { startBrowserCluster } from './support/browser-cluster.ts';

const STEPS = 2;

if (!haveChromium) console.warn('browser e2e skipped: no /usr/bin/chromium (apt-get install chromium)');

describe.skipIf(!haveChromium)('a tab when the teacher starts a new run', () => {
  it('prepares for the new run by itself and trains in it', async () => {
    const cluster = await startBrowserCluster({ model: 'mnist-mlp', batch: 32, seed: 1 });
    try {
      const c = cluster.coordinator;
      const page = await cluster.openTab('?backend=wasm');
      await waitForPhase(page, ['waiting', 'error']);
      await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 1 });
      const first = await snapshot(page);
      expect(first.contribution.samples).toBe(STEPS * 32);

      // Another seed means other initial weights and data order: the tab must build the run anew.
      c.replaceRun(await prepareRun({ model: 'mnist-mlp', batch: 16, seed: 9 }));
      const runId = c.runId;
      await page.waitForFunction((id) => {
        const s = (globalThis as never as { shardgrad: { snapshot(): { phase: string; run?: { runId: string } } } }).shardgrad.snapshot();
        return s.phase === 'waiting' && s.run?.runId === id;
      }, runId);
      await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 1 });
      const after = await snapshot(page);
      // The tab may rejoin as itself (resume key); what matters is that it built the new run.
      expect(after.run).toMatchObject({ runId, batch: 16 });
      // Resumed as itself: the coordinator counts its work in this run from zero (the class total and
      // the leaderboard are per run), while the tab's own count ("this tab") runs on across runs.
      expect(c.pool.views().find((v) => v.id === after.workerId)).toMatchObject({ kind: 'browser', samples: STEPS * 16 });
      expect(c.pool.views().filter((v) => v.id === after.workerId)).toHaveLength(1);
      expect(after.contribution.samples).toBe(STEPS * 32 + STEPS * 16);
      expect(cluster.errors).toEqual([]);
    } finally {
      await cluster.close();
    }
  });
});
