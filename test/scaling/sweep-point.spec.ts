import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { runSweep } from '../../apps/cli/src/sweep/run-sweep.ts';
import type { SweepSettings } from '../../apps/cli/src/sweep/sweep-config.ts';

/** Tiny real points: a coordinator and two virtual workers on 100 MNIST rows (10 a class). */
const base: SweepSettings = {
  model: 'mnist-mlp',
  lrRule: 'none',
  warmupSteps: 0,
  targetAccuracy: 0.99,
  maxSteps: 6,
  stopAtTarget: true,
  fleet: 'simulated',
  backend: 'wasm',
  datasetOptions: { trainPerClass: 10 },
};
const grid = { batches: [8], workers: [2], seeds: [1] };

let root = '';
beforeAll(async () => {
  await initNodeBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'sweep-point-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function onePoint(name: string, settings: Partial<SweepSettings>, batches = grid.batches) {
  const dir = join(root, name);
  const outcome = await runSweep({ settings: { ...base, ...settings }, grid: { ...grid, batches }, dir, command: name });
  const point = outcome.results[0]!;
  const run = join(dir, point.runDir);
  const rows = csvParse(readFileSync(join(run, 'metrics.csv'), 'utf8'));
  const steps = (tag: string) => rows.filter((r) => r.tag === tag).map((r) => Number(r.step));
  const summary = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).meta.summary;
  const csv = csvParse(readFileSync(join(dir, 'sweep.csv'), 'utf8'))[0]!;
  return { point, rows, steps, summary, csv };
}

const unique = (xs: number[]) => new Set(xs).size === xs.length;

describe('one sweep point, in its own files', () => {
  it('with --eval-every n checks the target at steps n, 2n, …, and logs one test row a step', async () => {
    const { point, steps } = await onePoint('eval-every', { evalEvery: 2 });
    expect(point.accuracyHistory.map((a) => a.step)).toEqual([2, 4, 6]);
    // The last check is also runTraining's final evaluation: recorded once.
    expect(steps('test')).toEqual([2, 4, 6]);
  });

  it('logs the test row of a point stopped at the target once', async () => {
    const { point, steps } = await onePoint('stop-at-target', { evalEvery: 3, targetAccuracy: 0.01 });
    expect(point).toMatchObject({ reached: true, stepsToTarget: 3, steps: 3 });
    expect(steps('test')).toEqual([3]);
    expect(unique(steps('train'))).toBe(true);
  });

  it('logs each step\'s learning rate at the step that used it, and none past the last', async () => {
    const { steps, point } = await onePoint('lr-rows', { lrRule: 'linear', baseBatch: 4, warmupSteps: 3 });
    expect(steps('lr-rule')).toEqual(steps('train'));
    expect(steps('lr-rule')).toEqual(Array.from({ length: point.steps }, (_, i) => i + 1));
  });

  it('has one training time and samples/s (evaluations excluded) in run.json, sweep.jsonl and sweep.csv', async () => {
    const { point, summary, csv } = await onePoint('seconds', { evalEvery: 1 });
    expect(summary.seconds).toBe(point.seconds);
    expect(summary.samplesPerSecond).toBe(point.samplesPerSecond);
    expect(point.samplesPerSecond).toBeCloseTo(point.samples / point.seconds, 6);
    expect(Number(csv.seconds)).toBe(point.seconds);
    expect(Number(csv.samples_per_s)).toBe(point.samplesPerSecond);
    // runTraining's own clock, which ran through the six test evaluations, is kept under its own name.
    expect(summary.secondsWithEvaluations).toBeGreaterThan(summary.seconds);
    expect(summary.trainingSeconds).toBeUndefined();
  });

  it('reads an epoch-based schedule at AdaScale\'s τ·B₀/N under AdaScale', async () => {
    const [batch, baseBatch, n] = [32, 8, 100];
    const { rows, point } = await onePoint('adascale-step', { lrRule: 'adascale', baseBatch, lr: 0.05, optimizer: 'sgd', lrSchedule: { kind: 'step', everyEpochs: 1, gamma: 0.5 }, maxSteps: 14 }, [batch]);
    const lr = rows.filter((r) => r.tag === 'lr-rule').map((r) => ({ step: Number(r.step), lr: Number(r.lr), gain: Number(r.gain), tau: Number(r.scale_invariant_steps) }));
    expect(lr).toHaveLength(point.steps);
    // Every step's rate is η·rₜ·γ^⌊τ·B₀/N⌋, whatever the real epoch (B·step/N) was.
    for (const r of lr) expect(r.lr).toBeCloseTo(0.05 * r.gain * 0.5 ** Math.floor((r.tau * baseBatch) / n), 9);
    // The run crossed a base epoch, and some steps' base epoch differs from their real one (B·(step − 1)/N).
    expect(lr.some((r) => (r.tau * baseBatch) / n >= 1)).toBe(true);
    expect(lr.some((r) => Math.floor((r.tau * baseBatch) / n) !== Math.floor(((r.step - 1) * batch) / n))).toBe(true);
  });
});
