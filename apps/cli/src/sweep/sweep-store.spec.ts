import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PointResult } from './point-result.ts';
import { MAX_SWEEP_POINTS, SweepConfigError, checkSweep, sweepGrid, type SweepSettings } from './sweep-config.ts';
import { SWEEP_JSON, SWEEP_JSONL, SweepStore } from './sweep-store.ts';

const root = mkdtempSync(join(tmpdir(), 'sweep-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `d${n++}`);

const settings: SweepSettings = { model: 'mnist-mlp', lrRule: 'none', warmupSteps: 0, targetAccuracy: 0.9, maxSteps: 3, stopAtTarget: true, fleet: 'simulated', backend: 'wasm' };
const grid = { batches: [8], workers: [1], seeds: [1] };

/** A whole record of point b8-w1-s1, as runPoint writes it (NaN figures become null in JSON). */
const record = (): PointResult => ({
  status: 'finished', id: 'b8-w1-s1', batch: 8, workers: 1, seed: 1, fleet: 'simulated', lrRule: 'none', baseLr: 0.1, baseBatch: 8, lr: 0.1,
  targetAccuracy: 0.9, reached: false, stepsToTarget: null, timeToTarget: null, scaleInvariantSteps: null, steps: 3, samples: 24, seconds: 0.1,
  samplesPerSecond: 240, finalTestAccuracy: 0.5, finalTrainAccuracy: Number.NaN, generalizationGap: Number.NaN, testLoss: 1.5, trainLoss: 1.4,
  noiseScale: null, noiseScaleAtTarget: null, noiseWindow: null, finalBatch: 8, noiseHistory: [], accuracyHistory: [{ step: 3, accuracy: 0.5 }],
  runDir: 'runs/r1', finishedAt: '2026-01-01T00:00:00.000Z',
});

describe('a sweep directory holds a sweep, and nothing else is written over', () => {
  it('refuses a folder with other files and no sweep.json, and leaves it as it was', () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'report.md'), 'notes\n');
    expect(() => new SweepStore(dir, settings, grid, 'x')).toThrow(SweepConfigError);
    expect(() => new SweepStore(dir, settings, grid, 'x')).toThrow(/is not a sweep directory \(no sweep\.json\) and is not empty \(report\.md\)/);
    expect(readdirSync(dir)).toEqual(['report.md']);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe('notes\n');
  });

  it('refuses a file given as the directory, and takes an empty folder', () => {
    const file = fresh();
    writeFileSync(file, 'x');
    expect(() => new SweepStore(file, settings, grid, 'x')).toThrow(/is a file, not a directory/);
    const empty = fresh();
    mkdirSync(empty);
    new SweepStore(empty, settings, grid, 'x');
    expect(readdirSync(empty).sort()).toEqual(['runs', SWEEP_JSON]);
  });

  it('refuses a whole line of sweep.jsonl that is not a finished record, naming the file and line, before writing anything', () => {
    const dir = fresh();
    const store = new SweepStore(dir, settings, grid, 'first');
    store.record(record());
    expect(store.finished().get('b8-w1-s1')).toMatchObject({ steps: 3, finalTrainAccuracy: Number.NaN });
    const before = readFileSync(join(dir, SWEEP_JSON), 'utf8');
    writeFileSync(join(dir, SWEEP_JSONL), `${JSON.stringify(record())}\n{"status":"finished","id":"b16-w1-s1"}\n`);
    const at = join(dir, SWEEP_JSONL);
    expect(() => new SweepStore(dir, settings, grid, 'second')).toThrow(`${at} line 2 is not a finished point's record (no batch); repair or delete that line`);
    expect(() => store.finished()).toThrow(SweepConfigError);
    // The refused command is not recorded as one that ran this sweep.
    expect(readFileSync(join(dir, SWEEP_JSON), 'utf8')).toBe(before);
    const { noiseWindow: _, ...old } = record();
    for (const [line, why] of [
      [{ ...record(), steps: 'three' }, /steps is "three", expected a whole number/],
      [{ ...record(), noiseWindow: { fromStep: 1 } }, /noiseWindow is .*expected a window/],
      [{ ...record(), id: 'b9-w1-s1' }, /id "b9-w1-s1" does not match its batch, workers and seed \(b8-w1-s1\)/],
      [null, /not a JSON object/],
    ] as const) {
      writeFileSync(join(dir, SWEEP_JSONL), `${JSON.stringify(line)}\n`);
      expect(() => store.finished()).toThrow(why);
    }
    // A record from before noise windows were kept reads as one without a window.
    writeFileSync(join(dir, SWEEP_JSONL), `${JSON.stringify(old)}\n`);
    expect(store.finished().get('b8-w1-s1')!.noiseWindow).toBeNull();
  });
});

describe('the size of a sweep grid', () => {
  it('is checked before the seeds are listed, and refused past the cap', () => {
    expect(() => sweepGrid([16], [1], 1_000_000_000)).toThrow(/the grid has 1,000,000,000 points \(1 batch × 1 worker count × 1000000000 seeds\), each a training run; a sweep takes at most 10,000/);
    expect(sweepGrid([16, 16, 32], [1], 3)).toEqual({ batches: [16, 16, 32], workers: [1], seeds: [1, 2, 3] });
    const seeds = Array.from({ length: MAX_SWEEP_POINTS / 2 + 1 }, (_, i) => i + 1);
    expect(() => checkSweep(settings, { batches: [8, 16], workers: [1], seeds })).toThrow(SweepConfigError);
  });
});
