/**
 * Per-backend speed of a chromium tab on the seed's MLP: for each backend, one tab pinned to it
 * joins a fresh coordinator alone, reports its calibration, then trains a few rounds by itself.
 * Prints figures, asserts nothing. Run:
 *
 *   npx tsx apps/worker-browser/bench/backends.bench.ts [--steps 30] [--batch 64] [--backends webgpu,webgl,wasm,cpu] [--json]
 *
 * On a machine without a GPU, webgpu and webgl run on SwiftShader (Chromium's CPU renderer): their
 * figures say that the path works, not what a real GPU does.
 */
import { parseArgs } from 'node:util';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, runTraining } from '@shardgrad/coordinator';
import { launchChromium, openTab, snapshot, waitForPhase } from '../../../test/e2e/support/chromium.ts';
import { BROWSER_BACKENDS, isBrowserBackend, type BrowserBackend } from '../src/compute-api.ts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '30' },
    batch: { type: 'string', default: '64' },
    backends: { type: 'string', default: BROWSER_BACKENDS.join(',') },
    json: { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const batch = Number(values.batch);
if (!(Number.isInteger(steps) && steps > 0 && Number.isInteger(batch) && batch > 0)) throw new Error('--steps and --batch take positive integers');
const backends = values.backends!.split(',').map((b) => b.trim());
const unknown = backends.find((b) => !isBrowserBackend(b));
if (unknown) throw new Error(`unknown backend "${unknown}"; choose from ${BROWSER_BACKENDS.join(', ')}`);

interface Row {
  backend: BrowserBackend;
  /** Gradient of one calibration shard in the Web Worker: compute and read-back only. */
  calibratedSamplesPerSecond?: number;
  /** Whole rounds with this tab as the only worker: compute, weights in, gradients out, the coordinator's update. */
  trainingSamplesPerSecond?: number;
  relativeError?: number;
  threads?: number;
  error?: string;
}

await initNodeBackend('wasm');
const browser = await launchChromium();
const rows: Row[] = [];
try {
  for (const backend of backends as BrowserBackend[]) {
    const c = await createCoordinator({ model: 'mnist-mlp', batch, seed: 1, port: 0 });
    try {
      const { page } = await openTab(browser, `${c.url}/?backend=${backend}&name=bench-${backend}`);
      await waitForPhase(page, ['waiting', 'error'], 300_000);
      const s = await snapshot(page);
      const cal = s.calibration?.results.find((r) => r.backend === backend);
      if (s.phase === 'error' || s.backend !== backend) {
        rows.push({ backend, error: s.phase === 'error' ? s.message : (cal?.error ?? `fell back to ${s.backend}`) });
        await page.close();
        continue;
      }
      const summary = await runTraining(c, { epochs: 1, maxSteps: steps, minWorkers: 1 });
      rows.push({
        backend,
        calibratedSamplesPerSecond: cal?.samplesPerSecond,
        trainingSamplesPerSecond: summary.samplesPerSecond,
        relativeError: cal?.relativeError,
        threads: cal?.threads,
      });
      await page.close();
    } finally {
      await c.close();
    }
  }
} finally {
  await browser.close();
}

const cpu = rows.find((r) => r.backend === 'cpu')?.trainingSamplesPerSecond;
if (values.json) {
  for (const r of rows) console.log(JSON.stringify({ type: 'bench', bench: 'browser-backends', model: 'mnist-mlp', batch, steps, ...r }));
} else {
  const f = (v: number | undefined, d = 0) => (v === undefined ? '–' : v.toFixed(d));
  console.log(`chromium tab, mnist-mlp, batch ${batch}, ${steps} rounds per backend (${new Date().toISOString()})`);
  console.log('backend  calibration samples/s  training samples/s  × cpu  rel. error vs cpu');
  for (const r of rows) {
    if (r.error) {
      console.log(`${r.backend.padEnd(8)} unavailable: ${r.error}`);
      continue;
    }
    const ratio = cpu && r.trainingSamplesPerSecond ? (r.trainingSamplesPerSecond / cpu).toFixed(2) : '–';
    console.log(
      `${r.backend.padEnd(8)} ${f(r.calibratedSamplesPerSecond).padStart(21)}  ${f(r.trainingSamplesPerSecond).padStart(18)}  ${ratio.padStart(5)}  ${r.relativeError?.toExponential(1) ?? '–'}${r.threads ? `  (${r.threads} thread${r.threads > 1 ? 's' : ''})` : ''}`,
    );
  }
}
