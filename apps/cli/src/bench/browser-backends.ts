import { createCoordinator, runTraining } from '@shardgrad/coordinator';
import { launchChromium, snapshot, waitForPhase } from './chromium.ts';

/** The tab's backends, in the order a tab prefers them. */
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

export interface BrowserBackendFigures {
  backend: (typeof BACKENDS)[number];
  /** Whether the tab calibrated this backend, found it matched cpu's gradient, and trained on it. */
  trained: boolean;
  /** The tab's calibration step: its samples/s and its gradient's relative error from cpu's. */
  calibrationSamplesPerSecond?: number;
  relativeError?: number;
  /** wasm's threads in the tab (crossOriginIsolated pages get several). */
  threads?: number;
  /** Real rounds with this one tab as the only worker: scatter, compute, upload, apply, broadcast. */
  trainingSamplesPerSecond?: number;
  /** The coordinator's estimate of the tab's compute speed in those rounds (from the compute times it reports). */
  computeSamplesPerSecond?: number;
  /** Why the tab did not train on this backend. */
  reason?: string;
}

/**
 * One chromium tab (Debian's, on SwiftShader for WebGL and WebGPU) joins a coordinator pinned to
 * each backend in turn (`?backend=`): its calibration figures, then its samples/s over `steps`
 * timed rounds after `warmupRounds`, as the only worker of the run.
 */
export async function browserBackendsBench(o: { model: string; batch: number; steps: number; warmupRounds: number }): Promise<BrowserBackendFigures[]> {
  const browser = await launchChromium();
  const rows: BrowserBackendFigures[] = [];
  try {
    for (const backend of BACKENDS) {
      const c = await createCoordinator({ model: o.model, batch: o.batch, seed: 1, port: 0 });
      const page = await browser.newPage();
      try {
        await page.goto(`${c.url}/?backend=${backend}&name=bench-${backend}`);
        await waitForPhase(page, ['waiting', 'error'], 300_000);
        const s = await snapshot(page);
        const mine = s.calibration?.results.find((r) => r.backend === backend);
        const row: BrowserBackendFigures = {
          backend,
          trained: false,
          calibrationSamplesPerSecond: mine?.samplesPerSecond,
          relativeError: mine?.relativeError,
          threads: mine?.threads,
        };
        rows.push(row);
        if (s.phase !== 'waiting' || s.backend !== backend) {
          row.reason = mine?.error ?? (mine?.matches === false ? `its gradient differs from cpu's (${mine.relativeError})` : s.message || `the tab chose ${s.backend}`);
          continue;
        }
        let startedAt = 0;
        let endedAt = 0;
        c.on('event', (e) => {
          if (e.type !== 'round') return;
          if (e.step === o.warmupRounds) startedAt = performance.now();
          if (e.step === o.warmupRounds + o.steps) endedAt = performance.now();
        });
        await runTraining(c, { epochs: 1000, maxSteps: o.warmupRounds + o.steps, minWorkers: 1 });
        if (endedAt > startedAt && startedAt > 0) {
          row.trained = true;
          row.trainingSamplesPerSecond = (o.steps * o.batch) / ((endedAt - startedAt) / 1000);
          row.computeSamplesPerSecond = c.pool.views().find((v) => v.id === s.workerId)?.samplesPerSecond;
        } else {
          row.reason = 'the run ended before its timed rounds';
        }
      } finally {
        await page.close().catch(() => undefined);
        c.broadcastStop('bench done');
        await c.close();
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
  }
  return rows;
}
