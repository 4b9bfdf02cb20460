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
      // "This tab" counts what the coordinator accepted from it: its own count in the pool, to the sample.
      expect(c.pool.views().find((v) => v.id === first.workerId)?.samples).toBe(first.contribution.samples);
      // An unnamed tab goes by the first 8 characters of its id, as on the dashboard and the leaderboard.
      await page.waitForFunction((id) => document.getElementById('run')?.textContent?.endsWith(`you appear as ${id}`), first.workerId!.slice(0, 8));
      expect(await page.$$eval('#calibration-rows tr', (rows) => rows.map((r) => r.textContent ?? ''))).toEqual(expect.arrayContaining([expect.stringMatching(/^WASM ✓ chosen/), expect.stringMatching(/^CPU/)]));

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
      // the leaderboard are per run), and so does "this tab"; its count of all runs carries on.
      expect(c.pool.views().find((v) => v.id === after.workerId)).toMatchObject({ kind: 'browser', samples: STEPS * 16 });
      expect(c.pool.views().filter((v) => v.id === after.workerId)).toHaveLength(1);
      expect(after.contribution.samples).toBe(STEPS * 16);
      expect((after as typeof after & { allRuns: { samples: number } }).allRuns.samples).toBe(STEPS * 32 + STEPS * 16);
      // The page says the same, labelled for what each number covers (small counts: no digit grouping).
      await page.waitForFunction((n) => document.getElementById('mine-samples')?.textContent === n, String(STEPS * 16));
      expect(await page.textContent('#mine-all')).toBe(`${STEPS * 32 + STEPS * 16} in all runs since this tab opened`);
      expect(cluster.errors).toEqual([]);
    } finally {
      await cluster.close();
    }
  });
});
