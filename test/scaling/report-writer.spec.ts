import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import { PNG } from 'pngjs';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { fitStepsToTarget, measuredNoiseScale, pointNoise, summarizeByBatch, sweepNoise } from '../../apps/cli/src/sweep/analysis.ts';
import type { PointResult } from '../../apps/cli/src/sweep/point-result.ts';
import { CSV_COLUMNS } from '../../apps/cli/src/sweep/report.ts';
import { firstEvalStep, nextEvalStep, noiseWindow } from '../../apps/cli/src/sweep/point-watch.ts';
import { REPORT_MD, SWEEP_CSV, writeSweepOutputs } from '../../apps/cli/src/sweep/sweep-outputs.ts';
import type { SweepSettings } from '../../apps/cli/src/sweep/sweep-config.ts';

/** Points that follow S(B) = 100·(1 + 256/B) exactly, with a noise history near 256. */
function points(fleet: PointResult['fleet']): PointResult[] {
  return [16, 64, 256, 1024].map((batch, i) => {
    const steps = Math.round(100 * (1 + 256 / batch));
    return {
      status: 'finished',
      id: `b${batch}-w2-s1`,
      batch,
      workers: 2,
      seed: 1,
      fleet,
      lrRule: 'sqrt',
      baseLr: 0.01,
      baseBatch: 16,
      lr: 0.01 * Math.sqrt(batch / 16),
      targetAccuracy: 0.9,
      reached: batch !== 1024 || fleet === 'processes',
      stepsToTarget: batch !== 1024 || fleet === 'processes' ? steps : null,
      timeToTarget: batch !== 1024 || fleet === 'processes' ? steps * 0.01 * (1 + batch / 256) : null,
      scaleInvariantSteps: steps,
      steps,
      samples: steps * batch,
      seconds: steps * 0.02,
      samplesPerSecond: batch / 0.02,
      finalTestAccuracy: 0.9 + i * 0.001,
      finalTrainAccuracy: 0.92 + i * 0.004,
      generalizationGap: 0.02 + i * 0.003,
      testLoss: 0.3,
      trainLoss: 0.25,
      noiseScale: 250 + i * 5,
      noiseScaleAtTarget: 240 + i * 10,
      noiseWindow: { fromStep: Math.ceil(steps * 0.75), toStep: steps, rounds: Math.ceil(steps / 4), trace: 2.56, gradSq: 0.01 },
      finalBatch: batch,
      noiseHistory: Array.from({ length: 20 }, (_, k) => ({ step: k + 1, epoch: (k + 1) * batch / 8500, bSimple: 50 + k * 10, trace: 1, gradSq: 0.01, batch })),
      accuracyHistory: [{ step: steps, accuracy: 0.9 }],
      runDir: `runs/run-${batch}`,
      finishedAt: '2026-01-01T00:00:00.000Z',
    };
  });
}

const settings = (fleet: SweepSettings['fleet']): SweepSettings => ({
  model: 'mnist-mlp',
  lrRule: 'sqrt',
  warmupSteps: 10,
  targetAccuracy: 0.9,
  maxSteps: 5000,
  stopAtTarget: true,
  fleet,
  backend: 'wasm',
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('sweep analysis', () => {
  it('recovers S_min and B_crit from steps that follow the empirical model', () => {
    const fit = fitStepsToTarget([16, 32, 64, 128, 256, 512, 1024, 2048].map((batch) => ({ batch, steps: 100 * (1 + 256 / batch) })))!;
    expect(fit.sMin).toBeCloseTo(100, 6);
    expect(fit.bCrit).toBeCloseTo(256, 6);
    expect(fitStepsToTarget([{ batch: 64, steps: 10 }])).toBeNull();
    // Steps that grow with the batch do not have the model's shape.
    expect(fitStepsToTarget([{ batch: 16, steps: 10 }, { batch: 64, steps: 40 }])).toBeNull();
  });

  it('summarizes seeds per batch and measures scaling efficiency against the previous batch', () => {
    const rows = summarizeByBatch(points('processes'));
    expect(rows.map((r) => r.batch)).toEqual([16, 64, 256, 1024]);
    // 16 → 64: steps 1700 → 500, ×4 the batch: (1700/500)/4 = 0.85
    expect(rows[1]!.scalingEfficiency).toBeCloseTo(1700 / 500 / 4, 9);
    expect(rows[0]!.scalingEfficiency).toBeNull();
    expect(measuredNoiseScale(points('processes'))).toBeCloseTo(256, 9);
  });

  it('pools the points\' windows with each round weighted by B², so precise large batches count most', () => {
    const [small, large] = [points('processes')[0]!, points('processes')[3]!];
    small.noiseWindow = { fromStep: 1, toStep: 100, rounds: 100, trace: 10, gradSq: 0.01 }; // B_simple 1000, noisy at batch 16
    large.noiseWindow = { fromStep: 1, toStep: 10, rounds: 10, trace: 2, gradSq: 0.01 }; // B_simple 200 at batch 1024
    const [ws, wl] = [100 * 16 * 16, 10 * 1024 * 1024];
    expect(measuredNoiseScale([small, large])).toBeCloseTo((ws * 10 + wl * 2) / ((ws + wl) * 0.01), 9);
    // Without windows: the median of the points' own values.
    expect(measuredNoiseScale(points('processes').map((p) => ({ ...p, noiseWindow: null })))).toBe(255);
  });
});

describe('when a point looks', () => {
  it('checks the target at every step to 20, then every 5% of the steps so far', () => {
    const steps: number[] = [];
    for (let s = 1; s < 200; s = nextEvalStep(s)) steps.push(s);
    expect(steps.slice(0, 21)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(steps.slice(20)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 42, 44, 46, 48, 50, 52, 54, 56, 58, 60, 63, 66, 69, 72, 75, 78, 81, 85, 89, 93, 97, 101, 106, 111, 116, 121, 127, 133, 139, 145, 152, 159, 166, 174, 182, 191].filter((s) => s < 200));
  });

  it('with --eval-every n checks at steps n, 2n, 3n, …', () => {
    const steps: number[] = [];
    for (let s = firstEvalStep(10); s <= 40; s = nextEvalStep(s, 10)) steps.push(s);
    expect(steps).toEqual([10, 20, 30, 40]);
    // From a step off the grid (a run resumed elsewhere), the next multiple.
    expect(nextEvalStep(43, 25)).toBe(50);
    expect(firstEvalStep()).toBe(1);
  });

  it('reads the noise scale over the last quarter of the steps to the target, at least 20', () => {
    const rounds = Array.from({ length: 200 }, (_, i) => ({ step: i + 1, trace: i + 1, gradSq: 1 }));
    expect(noiseWindow(rounds, 200)).toEqual({ fromStep: 151, toStep: 200, rounds: 50, trace: 175.5, gradSq: 1 });
    expect(noiseWindow(rounds, 40)).toMatchObject({ fromStep: 21, toStep: 40, rounds: 20 });
    expect(noiseWindow(rounds, 5)).toMatchObject({ fromStep: 1, rounds: 5 });
    // Rounds without an estimate (one shard) are simply missing from the window.
    expect(noiseWindow(rounds.filter((r) => r.step % 2 === 0), 40)).toMatchObject({ rounds: 10 });
    expect(noiseWindow([], 40)).toBeNull();
  });
});

/** The report's text and CSV rows for these points, written as a sweep directory would be. */
async function written(results: PointResult[], fleet: SweepSettings['fleet'] = 'simulated') {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-report-'));
  dirs.push(dir);
  await writeSweepOutputs(dir, { settings: settings(fleet), results, commands: ['npx shardgrad sweep'], model: 'mnist-mlp', dataset: 'mnist', machine: 'a test' });
  return { dir, report: readFileSync(join(dir, REPORT_MD), 'utf8'), csv: csvParse(readFileSync(join(dir, SWEEP_CSV), 'utf8')) };
}

/** A point whose window's mean |G|² came out negative (the noise dominating), as a real short run can. */
function negativeWindow(p: PointResult): PointResult {
  return { ...p, noiseScale: null, noiseScaleAtTarget: null, noiseWindow: { ...p.noiseWindow!, trace: 38.6, gradSq: -0.2 }, noiseHistory: p.noiseHistory.map((h) => ({ ...h, bSimple: null })) };
}

const findingsOf = (report: string) => report.slice(report.indexOf('## Findings'), report.indexOf('| batch |'));

describe('what the report says about the noise scale', () => {
  it('tells a measured |G|² that was not positive apart from one worker', async () => {
    const measured = points('simulated').map(negativeWindow);
    expect(sweepNoise(measured)).toMatchObject({ kind: 'not-positive', gradSq: -0.2 });
    expect(pointNoise(measured[0]!).kind).toBe('not-positive');
    const { report, csv } = await written(measured);
    const findings = findingsOf(report);
    expect(findings).toMatch(/measured, but the estimate of \|G\|² was not positive/);
    expect(findings).toMatch(/more steps .* or larger batches/);
    expect(findings).not.toMatch(/one worker|one shard/);
    expect(report).toContain('| – (|G|² ≤ 0) |');
    expect(csv[0]).toMatchObject({ noise_scale_at_target: '', noise_window_grad_sq: '-0.2', noise_window_b_simple: '' });

    const oneWorker = points('simulated').map((p) => ({ ...p, workers: 1, noiseScale: null, noiseScaleAtTarget: null, noiseWindow: null, noiseHistory: [] }));
    expect(sweepNoise(oneWorker).kind).toBe('unmeasured');
    const one = await written(oneWorker);
    expect(findingsOf(one.report)).toMatch(/every point ran one shard per round \(one worker\)/);
    expect(one.report).toContain('| – (one shard) |');
  });

  it('does not call a noise scale "at the target" when no point reached it', async () => {
    const missed = points('simulated').map((p) => ({ ...p, reached: false, stepsToTarget: null, timeToTarget: null }));
    const { report, csv } = await written(missed);
    const findings = findingsOf(report);
    expect(findings).toMatch(/noise scale over training/);
    expect(findings).toMatch(/No point reached the target/);
    expect(findings).not.toMatch(/at the target, pooled/);
    // The window's value is in the CSV, but not as "at target".
    for (const row of csv) {
      expect(row.noise_scale_at_target).toBe('');
      expect(Number(row.noise_window_b_simple)).toBeGreaterThan(0);
    }
    expect(report).toMatch(/‡ A seed did not reach the target/);
  });

  it('marks a seed whose value is the smoothed fallback, and leaves the others as measured at the target', async () => {
    const seeds = [1, 2, 3].map((seed) => ({ ...points('processes')[1]!, seed, id: `b64-w2-s${seed}` }));
    seeds[2] = { ...negativeWindow(seeds[2]!), noiseScale: 625 };
    expect(pointNoise(seeds[2]).kind).toBe('smoothed');
    expect(pointNoise(seeds[0]!).kind).toBe('at-target');
    const [row] = summarizeByBatch(seeds);
    expect(row!.noiseKinds).toEqual(['at-target', 'at-target', 'smoothed']);
    const { report } = await written(seeds, 'processes');
    expect(report).toMatch(/\| \d+† \|/);
    expect(report).toMatch(/† A seed's window had a mean \|G\|² that was not positive; its smoothed B_simple/);
    // Every seed reached the target: no end-window mark.
    expect(report).not.toContain('‡');
  });
});

describe('the charts', () => {
  const svgOf = (dir: string, name: string) => readFileSync(join(dir, `${name}.svg`), 'utf8');
  const percentLabels = (svg: string) => [...svg.matchAll(/<text[^>]*>(-?[\d.]+%)<\/text>/g)].map((m) => m[1]!);

  it('labels a narrow gap axis with distinct ticks, and draws the split legend as line samples', async () => {
    // Gaps 1.20% … 1.04%: a tenth of a point between ticks.
    const narrow = points('processes').map((p, i) => ({ ...p, generalizationGap: 0.012 - i * 0.0004 }));
    const { dir } = await written(narrow, 'processes');
    const svg = svgOf(dir, 'accuracy-and-gap');
    const labels = percentLabels(svg);
    expect(labels.length).toBeGreaterThan(4);
    expect(new Set(labels).size).toBe(labels.length);
    // Two legend entries for test and train, drawn as strokes with different dashes, not as circles.
    const splitSymbols = [...svg.matchAll(/role-legend-symbol"[^>]*><path [^>]*d="M-10,0L10,0"[^>]*stroke-dasharray="([^"]+)"/g)].map((m) => m[1]);
    expect(splitSymbols).toHaveLength(2);
    expect(new Set(splitSymbols).size).toBe(2);
  });

  it('keeps the B_simple label inside the plot, on the side with room', async () => {
    const { dir } = await written(points('processes'), 'processes'); // B_simple 256, towards the right of 16…1024
    const label = svgOf(dir, 'steps-to-target').match(/<text[^>]*text-anchor="(\w+)"[^>]*>measured B_simple/);
    expect(label?.[1]).toBe('end');
  });

  it('says "no data" in charts that have none, instead of an empty frame with a legend title', async () => {
    const missed = points('processes').map((p) => ({ ...p, workers: 1, reached: false, stepsToTarget: null, timeToTarget: null, noiseScale: null, noiseScaleAtTarget: null, noiseWindow: null, noiseHistory: [] }));
    const { dir } = await written(missed, 'processes');
    for (const name of ['steps-to-target', 'time-to-target']) {
      expect(svgOf(dir, name)).toContain('No point reached the 90% target:');
      expect(svgOf(dir, name)).not.toContain('>fleet<');
    }
    expect(svgOf(dir, 'noise-scale')).toContain('No noise scale was measured:');
    expect(svgOf(dir, 'noise-scale')).not.toContain('>batch<');
  });
});

describe('sweep report writer', () => {
  for (const fleet of ['processes', 'simulated'] as const) {
    it(`writes the CSV, four charts as SVG and PNG, and a report that embeds them (${fleet})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sweep-report-'));
      dirs.push(dir);
      const results = points(fleet);
      const files = await writeSweepOutputs(dir, { settings: settings(fleet), results, commands: ['npx shardgrad sweep --batch 16,64,256,1024'], model: 'mnist-mlp', dataset: 'mnist', machine: 'a test' });
      for (const f of files) expect(existsSync(join(dir, f)), f).toBe(true);

      const csv = csvParse(readFileSync(join(dir, SWEEP_CSV), 'utf8'));
      expect(csv.columns).toEqual(CSV_COLUMNS.map(([name]) => name));
      expect(csv).toHaveLength(4);
      expect(csv[0]).toMatchObject({ point: 'b16-w2-s1', batch: '16', fleet, steps_to_target: '1700', noise_scale_at_target: '240' });
      // A point that missed the target leaves its steps empty rather than writing a number.
      if (fleet === 'simulated') expect(csv[3]).toMatchObject({ reached: 'false', steps_to_target: '', time_to_target_s: '' });

      const charts = files.filter((f) => f.endsWith('.svg')).map((f) => f.replace(/\.svg$/, ''));
      expect(charts.sort()).toEqual(['accuracy-and-gap', 'noise-scale', 'steps-to-target', 'time-to-target']);
      const report = readFileSync(join(dir, REPORT_MD), 'utf8');
      for (const name of charts) {
        const svg = readFileSync(join(dir, `${name}.svg`), 'utf8');
        expect(svg.trimStart().startsWith('<svg')).toBe(true);
        // resvg parses it as SVG (it throws on malformed XML) and finds a drawing of some size.
        const parsed = new Resvg(svg);
        expect(parsed.width).toBeGreaterThan(100);
        const png = PNG.sync.read(readFileSync(join(dir, `${name}.png`)));
        expect(png.width).toBeGreaterThan(200);
        expect(png.height).toBeGreaterThan(100);
        // Not a blank canvas: some pixels are far from the white background.
        let dark = 0;
        for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! + png.data[i + 1]! + png.data[i + 2]! < 384) dark++;
        expect(dark).toBeGreaterThan(500);
        expect(report).toContain(`](${name}.png)`);
        expect(report).toContain(`(${name}.svg)`);
      }
      expect(readFileSync(join(dir, 'steps-to-target.svg'), 'utf8')).toContain('steps to 90% test accuracy');
      // Every image the report links exists.
      for (const m of report.matchAll(/\]\(([^)]+\.(?:png|svg))\)/g)) expect(existsSync(join(dir, m[1]!)), m[1]).toBe(true);
      expect(report).toContain('npx shardgrad sweep --batch 16,64,256,1024');
      expect(report).toContain('| 16 | 2');
      expect(report).toMatch(/B_crit ≈ 256 examples/);
      expect(report.includes('Simulated fleet')).toBe(fleet === 'simulated');
      if (fleet === 'simulated') {
        expect(report).toContain('| b1024-w2-s1 | not in 125 |');
        expect(readFileSync(join(dir, 'noise-scale.svg'), 'utf8')).toContain('(simulated fleet)');
      }
    });
  }
});
