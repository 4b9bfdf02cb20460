import { createCoordinator, runTraining, type Coordinator } from '@shardgrad/coordinator';
import { launchChromium, openUndrivenTab, snapshot, waitForPhase } from './chromium.ts';

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
  /**
   * Real rounds with this one tab as the only worker (scatter, compute, upload, apply, broadcast), in
   * a chromium no driver is attached to (`openUndrivenTab`), as a student's is.
   */
  trainingSamplesPerSecond?: number;
  /** The coordinator's estimate of the tab's compute speed in those rounds (from the compute times it reports). */
  computeSamplesPerSecond?: number;
  /** Why the tab did not train on this backend. */
  reason?: string;
}

/**
 * One chromium tab (Debian's, on SwiftShader for WebGL and WebGPU) joins a coordinator pinned to
 * each backend in turn (`?backend=`): its calibration figures, read through playwright; then, in a
 * chromium without a driver, its samples/s over `steps` timed rounds after `warmupRounds`, as the
 * only worker of the run.
 */
export async function browserBackendsBench(o: { model: string; batch: number; steps: number; warmupRounds: number }): Promise<BrowserBackendFigures[]> {
  const browser = await launchChromium();
  const rows: BrowserBackendFigures[] = [];
  try {
    for (const backend of BACKENDS) {
      const c = await createCoordinator({ model: o.model, batch: o.batch, seed: 1, port: 0 });
      const url = `${c.url}/?backend=${backend}&name=bench-${backend}`;
      try {
        const page = await browser.newPage();
        const row: BrowserBackendFigures = { backend, trained: false };
        rows.push(row);
        try {
          await page.goto(url);
          await waitForPhase(page, ['waiting', 'error'], CALIBRATION_TIMEOUT_MS);
          const s = await snapshot(page);
          const mine = s.calibration?.results.find((r) => r.backend === backend);
          Object.assign(row, { calibrationSamplesPerSecond: mine?.samplesPerSecond, relativeError: mine?.relativeError, threads: mine?.threads });
          if (s.phase !== 'waiting' || s.backend !== backend) {
            row.reason = mine?.error ?? (mine?.matches === false ? `its gradient differs from cpu's (${mine.relativeError})` : s.message || `the tab chose ${s.backend}`);
            continue;
          }
        } finally {
          await page.close().catch(() => undefined);
        }
        Object.assign(row, await timedRounds(c, url, backend, o));
      } finally {
        c.broadcastStop('bench done');
        await c.close();
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
  }
  return rows;
}

const CALIBRATION_TIMEOUT_MS = 300_000;

async function timedRounds(
  c: Coordinator,
  url: string,
  backend: string,
  o: { batch: number; steps: number; warmupRounds: number },
): Promise<Pick<BrowserBackendFigures, 'trained' | 'trainingSamplesPerSecond' | 'computeSamplesPerSecond' | 'reason'>> {
  await until(() => c.pool.size === 0, 30_000, 'the calibrated tab to leave');
  const tab = await openUndrivenTab(url);
  try {
    await until(() => c.pool.size > 0, CALIBRATION_TIMEOUT_MS, 'the undriven tab to calibrate and join');
    const joined = c.pool.list()[0]!;
    if (joined.backend !== backend) return { trained: false, reason: `without a driver the tab chose ${joined.backend}` };
    let startedAt = 0;
    let endedAt = 0;
    c.on('event', (e) => {
      if (e.type !== 'round') return;
      if (e.step === o.warmupRounds) startedAt = performance.now();
      if (e.step === o.warmupRounds + o.steps) endedAt = performance.now();
    });
    await runTraining(c, { epochs: 1000, maxSteps: o.warmupRounds + o.steps, minWorkers: 1 });
    if (!(endedAt > startedAt && startedAt > 0)) return { trained: false, reason: 'the run ended before its timed rounds' };
    return {
      trained: true,
      trainingSamplesPerSecond: (o.steps * o.batch) / ((endedAt - startedAt) / 1000),
      computeSamplesPerSecond: c.pool.views().find((v) => v.id === joined.id)?.samplesPerSecond,
    };
  } finally {
    await tab.close();
  }
}

async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
