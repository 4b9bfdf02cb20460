import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { csvParse } from 'd3-dsv';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { mnistMlp } from '@shardgrad/models';
import { runSweep } from '../../apps/cli/src/sweep/run-sweep.ts';
import { SweepConfigError, type SweepSettings } from '../../apps/cli/src/sweep/sweep-config.ts';
import { SWEEP_JSONL } from '../../apps/cli/src/sweep/sweep-store.ts';

/** Two tiny real points: a coordinator and two virtual workers each, three steps of MNIST. */
const settings: SweepSettings = {
  model: 'mnist-mlp',
  lrRule: 'linear',
  baseBatch: 8,
  warmupSteps: 1,
  targetAccuracy: 0.99,
  maxSteps: 3,
  stopAtTarget: true,
  fleet: 'simulated',
  backend: 'wasm',
};

let dir = '';
beforeAll(async () => {
  await initNodeBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'sweep-resume-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runDirs = () => readdirSync(join(dir, 'runs')).sort();
const jsonl = () => readFileSync(join(dir, SWEEP_JSONL), 'utf8').split('\n').filter(Boolean);

describe('a sweep resumes where it left off', () => {
  it('runs each point through the cluster once, and a rerun of the same sweep skips them', async () => {
    const grid = { batches: [8, 16], workers: [2], seeds: [1] };
    const first = await runSweep({ settings, grid, dir, command: 'first' });
    expect(first.ran).toEqual(['b8-w2-s1', 'b16-w2-s1']);
    expect(first.skipped).toEqual([]);
    expect(runDirs()).toHaveLength(2);
    expect(jsonl()).toHaveLength(2);
    for (const r of first.results) {
      expect(r).toMatchObject({ status: 'finished', fleet: 'simulated', workers: 2, steps: 3, samples: 3 * r.batch, reached: false, stepsToTarget: null });
      // Measured in every round that the coordinator split over both workers (it may give a tiny batch to one).
      expect(r.noiseHistory.length).toBeGreaterThan(0);
      expect(r.noiseHistory.length).toBeLessThanOrEqual(3);
      expect(r.noiseHistory[0]!.trace).toBeGreaterThan(0);
      // The linear rule after one warm-up step: η·B/B₀ with η the model's own rate at B₀ = 8.
      expect(r.lr).toBeCloseTo(mnistMlp.optimizer.learningRate * (r.batch / 8), 12);
      expect(existsSync(join(dir, r.runDir, 'run.json'))).toBe(true);
      expect(existsSync(join(dir, r.runDir, 'metrics.jsonl'))).toBe(true);
    }
    expect(first.files).toContain('report.md');

    const again = await runSweep({ settings, grid, dir, command: 'second' });
    expect(again.ran).toEqual([]);
    expect(again.skipped).toEqual(['b8-w2-s1', 'b16-w2-s1']);
    expect(runDirs()).toHaveLength(2);
    expect(jsonl()).toHaveLength(2);
    expect(again.results.map((r) => r.runDir)).toEqual(first.results.map((r) => r.runDir));
    // The report is still written, and the sweep remembers both commands.
    expect(again.files).toContain('report.md');
    expect(JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')).commands).toEqual(['first', 'second']);
  });

  it('after a crash mid-append, runs only the points it has no whole record of', async () => {
    appendFileSync(join(dir, SWEEP_JSONL), '{"status":"finished","id":"b32-w2-s1","bat'); // torn by a crash
    const grid = { batches: [8, 16, 32], workers: [2], seeds: [1] };
    const third = await runSweep({ settings, grid, dir, command: 'third' });
    expect(third.ran).toEqual(['b32-w2-s1']);
    expect(third.skipped).toEqual(['b8-w2-s1', 'b16-w2-s1']);
    expect(third.results.map((r) => r.id)).toEqual(['b8-w2-s1', 'b16-w2-s1', 'b32-w2-s1']);
    expect(runDirs()).toHaveLength(3);
    // The torn line is left as it was; the new record starts on a line of its own.
    const lines = jsonl();
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3]!)).toMatchObject({ id: 'b32-w2-s1', status: 'finished' });
  });

  it('keeps every finished point of every grid in the outputs when the sweep is extended with another grid', async () => {
    // Same settings, another grid (one worker at batch 8 only): the directory already holds three w2 points.
    const fourth = await runSweep({ settings, grid: { batches: [8], workers: [1], seeds: [1] }, dir, command: 'fourth' });
    expect(fourth.ran).toEqual(['b8-w1-s1']);
    const all = ['b8-w1-s1', 'b8-w2-s1', 'b16-w2-s1', 'b32-w2-s1'];
    expect(fourth.results.map((r) => r.id)).toEqual(all);
    const csv = csvParse(readFileSync(join(dir, 'sweep.csv'), 'utf8'));
    expect(csv.map((r) => r.point)).toEqual(all);
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    for (const id of all) expect(report).toContain(`| ${id} |`);
    // "Made by" lists every command whose points the report shows.
    for (const command of ['first', 'second', 'third', 'fourth']) expect(report).toMatch(new RegExp(`^${command}$`, 'm'));
  });

  it('refuses a corrupt sweep.json in plain words, and writes nothing', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'sweep-corrupt-'));
    try {
      writeFileSync(join(broken, 'sweep.json'), 'hello');
      const grid = { batches: [8], workers: [2], seeds: [1] };
      const run = runSweep({ settings, grid, dir: broken, command: 'x' });
      await expect(run).rejects.toThrow(SweepConfigError);
      await expect(runSweep({ settings, grid, dir: broken, command: 'x' })).rejects.toThrow(/sweep\.json is not a sweep's sweep\.json \(not valid JSON\); repair or remove it/);
      expect(readdirSync(broken)).toEqual(['sweep.json']);
      expect(readFileSync(join(broken, 'sweep.json'), 'utf8')).toBe('hello');
      writeFileSync(join(broken, 'sweep.json'), '{"grid": {}}');
      await expect(runSweep({ settings, grid, dir: broken, command: 'x' })).rejects.toThrow(/\(no settings\)/);
      expect(readdirSync(broken)).toEqual(['sweep.json']);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('refuses to mix a sweep with other settings into the same directory', async () => {
    const grid = { batches: [8], workers: [2], seeds: [1] };
    await expect(runSweep({ settings: { ...settings, lrRule: 'sqrt' }, grid, dir, command: 'other' })).rejects.toThrow(SweepConfigError);
    await expect(runSweep({ settings: { ...settings, lrRule: 'sqrt' }, grid, dir, command: 'other' })).rejects.toThrow(/lrRule: "linear" there, "sqrt" now/);
    expect(runDirs()).toHaveLength(4);
  });

  it('refuses grids that cannot run before starting anything', async () => {
    await expect(runSweep({ settings, grid: { batches: [2], workers: [4], seeds: [1] }, dir, command: 'x' })).rejects.toThrow(/batch 2 cannot be split over 4 workers/);
    await expect(runSweep({ settings: { ...settings, targetAccuracy: 1.5 }, grid: { batches: [8], workers: [2], seeds: [1] }, dir, command: 'x' })).rejects.toThrow(/target-accuracy/);
    await expect(runSweep({ settings: { ...settings, model: 'no-such-model' }, grid: { batches: [8], workers: [2], seeds: [1] }, dir, command: 'x' })).rejects.toThrow(/unknown model/);
    // A model without accuracy, a dataset the model does not take: refused before a directory or a point exists.
    const fresh = join(dir, 'never-made');
    await expect(runSweep({ settings: { ...settings, model: 'regression' }, grid: { batches: [8], workers: [2], seeds: [1] }, dir: fresh, command: 'x' })).rejects.toThrow(/reports no accuracy/);
    await expect(runSweep({ settings: { ...settings, dataset: 'circle' }, grid: { batches: [8], workers: [2], seeds: [1] }, dir: fresh, command: 'x' })).rejects.toThrow(/does not train on dataset "circle"/);
    expect(existsSync(fresh)).toBe(false);
  });
});
