import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSweep } from '../../apps/cli/src/sweep/run-sweep.ts';
import { SweepConfigError, type SweepSettings } from '../../apps/cli/src/sweep/sweep-config.ts';
import { SWEEP_JSONL, SweepStore } from '../../apps/cli/src/sweep/sweep-store.ts';
import { SWEEP_CSV } from '../../apps/cli/src/sweep/sweep-outputs.ts';
import { runCli } from '../support/run-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'sweep-inputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sweep refuses what it would lose data over, with exit code 2', () => {
  it('does not write into a folder that holds other files and no sweep', async () => {
    const dir = join(root, 'notes');
    mkdirSync(dir);
    writeFileSync(join(dir, 'report.md'), 'notes\n');
    const r = await runCli(['sweep', '--batch', '16', '--simulate-workers', '1', '--max-steps', '1', '--sweep-dir', dir, '--json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/notes is not a sweep directory \(no sweep\.json\) and is not empty \(report\.md\)/);
    expect(r.lines.at(-1)).toMatchObject({ type: 'error', exitCode: 2 });
    expect(readdirSync(dir)).toEqual(['report.md']);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe('notes\n');
  });

  it('refuses a grid too large to run before expanding it', async () => {
    const r = await runCli(['sweep', '--seeds', '1000000000', '--batch', '16', '--simulate-workers', '1', '--sweep-dir', join(root, 'huge')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^shardgrad: the grid has 1,000,000,000 points .*a sweep takes at most 10,000$/m);
    expect(r.stderr).not.toMatch(/heap|at .*\.ts:\d+/);
    expect(readdirSync(root)).not.toContain('huge');
  });

  it('keeps its outputs when sweep.jsonl holds a damaged record', async () => {
    const settings: SweepSettings = { model: 'mnist-mlp', lrRule: 'none', warmupSteps: 0, targetAccuracy: 0.9, maxSteps: 3, stopAtTarget: true, fleet: 'simulated', backend: 'wasm' };
    const grid = { batches: [8], workers: [1], seeds: [1] };
    const dir = join(root, 'damaged');
    // One finished point, so the sweep has nothing to train and only writes its outputs.
    new SweepStore(dir, settings, grid, 'first').record({
      status: 'finished', id: 'b8-w1-s1', batch: 8, workers: 1, seed: 1, fleet: 'simulated', lrRule: 'none', baseLr: 0.1, baseBatch: 8, lr: 0.1,
      targetAccuracy: 0.9, reached: false, stepsToTarget: null, timeToTarget: null, scaleInvariantSteps: null, steps: 3, samples: 24, seconds: 0.1,
      samplesPerSecond: 240, finalTestAccuracy: 0.5, finalTrainAccuracy: 0.5, generalizationGap: 0, testLoss: 1.5, trainLoss: 1.4,
      noiseScale: null, noiseScaleAtTarget: null, noiseWindow: null, finalBatch: 8, noiseHistory: [], accuracyHistory: [{ step: 3, accuracy: 0.5 }],
      runDir: 'runs/r1', finishedAt: '2026-01-01T00:00:00.000Z',
    });
    const first = await runSweep({ settings, grid, dir, command: 'first' });
    expect(first.ran).toEqual([]);
    const csv = readFileSync(join(dir, SWEEP_CSV), 'utf8');
    expect(csv).toMatch(/^b8-w1-s1,/m);
    writeFileSync(join(dir, SWEEP_JSONL), `${readFileSync(join(dir, SWEEP_JSONL), 'utf8')}{"status":"finished","id":"b16-w1-s1"}\n`);
    await expect(runSweep({ settings, grid: { ...grid, batches: [8, 16] }, dir, command: 'second' })).rejects.toThrow(SweepConfigError);
    await expect(runSweep({ settings, grid, dir, command: 'second' })).rejects.toThrow(/sweep\.jsonl line 2 is not a finished point's record \(no batch\)/);
    expect(readFileSync(join(dir, SWEEP_CSV), 'utf8')).toBe(csv);
    expect(csv).not.toMatch(/undefined/);
  });
});
