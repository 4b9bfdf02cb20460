import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CoordinatorOptions, type TrainingSummary, loadModelDir, runSession } from '@shardgrad/coordinator';
import { evaluateCommand } from '../../apps/cli/src/commands/evaluate.ts';
import { exportCommand } from '../../apps/cli/src/commands/export.ts';
import { predictCommand } from '../../apps/cli/src/commands/predict.ts';
import { figure } from '../../apps/cli/src/summary-text.ts';
import { loadSeattleTemperature } from '@shardgrad/data/node';
import { startTestCluster } from '../support/cluster.ts';
import { runCli } from '../support/run-cli.ts';

/**
 * evaluate and predict rebuild the data and the model's context as the run had them (dataset options,
 * model config), from shardgrad.json, from an older model's run.json, or from the user's flags.
 * Runs are trained for real (a coordinator and an in-process worker, recorded as `train` records
 * them); the commands run in this process, as commander runs them.
 */

const root = mkdtempSync(join(tmpdir(), 'shardgrad-eval-settings-'));

interface Trained {
  summary: TrainingSummary;
  runDir: string;
  modelDir: string;
  /** The test split's size as training had it. */
  testRows: number;
}

async function train(opts: CoordinatorOptions, plan: { epochs: number; maxSteps?: number }): Promise<Trained> {
  const cluster = await startTestCluster({ split: 'equal', ...opts }, [{ nickname: 'w1' }]);
  try {
    const testRows = cluster.coordinator.config.dataset.test.n;
    const [summary] = await runSession(cluster.coordinator, { plan: () => ({ ...plan, minWorkers: 1 }), record: { root, checkpointEvery: 1 } });
    const runDir = join(root, summary!.runId);
    return { summary: summary!, runDir, modelDir: join(runDir, 'model'), testRows };
  } finally {
    await cluster.close();
  }
}

const commands: Record<string, () => Command> = { evaluate: evaluateCommand, predict: predictCommand, export: exportCommand };

/** Runs a shardgrad command in this process and returns what it printed. */
async function shardgrad(...args: string[]): Promise<{ text: string; lines: Record<string, unknown>[] }> {
  const printed: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    await commands[args[0]!]!().exitOverride().parseAsync(args.slice(1), { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  const text = printed.join('');
  return { text, lines: text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A saved model as shardgrad wrote it before it recorded the dataset options and model config. */
function makeOldStyle(modelDir: string): void {
  const file = join(modelDir, 'shardgrad.json');
  const { datasetOptions: _o, modelConfig: _c, ...old } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify(old, null, 2));
}

const evaluation = (r: { lines: Record<string, unknown>[] }) => r.lines.find((l) => l.type === 'evaluation')!;

describe('evaluate and predict use the run’s dataset options and model config', () => {
  let digits: Trained;
  let circle: Trained;

  beforeAll(async () => {
    digits = await train({ model: 'mnist-mlp', datasetOptions: { classes: [0, 1] }, seed: 1 }, { epochs: 1, maxSteps: 3 });
    circle = await train({ model: 'playground', datasetOptions: { features: 'x2,y2' }, seed: 1 }, { epochs: 3 });
  });
  afterAll(() => vi.restoreAllMocks());

  it('records them in shardgrad.json', async () => {
    const meta = JSON.parse(readFileSync(join(digits.modelDir, 'shardgrad.json'), 'utf8'));
    expect(meta.datasetOptions).toEqual({ classes: [0, 1] });
    expect(meta.modelConfig).toEqual({});
    expect(meta.numClasses).toBe(2);
  });

  it('gives the test accuracy and test-split size of training on a class subset', async () => {
    expect(digits.testRows).toBeLessThan(1500);
    const r = await shardgrad('evaluate', '--model-dir', digits.runDir, '--json');
    const e = evaluation(r);
    expect(e.samples).toBe(digits.testRows);
    expect(e.testAccuracy as number).toBeCloseTo(digits.summary.testAccuracy, 6);
    expect(e.datasetOptions).toEqual({ classes: [0, 1] });
    expect(e.settingsFrom).toBe('shardgrad.json');
    const text = await shardgrad('evaluate', '--model-dir', digits.modelDir);
    expect(text.text).toContain(`data: mnist test split, ${digits.testRows} samples; options classes=[0,1] (recorded with the model)`);
    expect(text.text).toContain(`mnist-mlp on mnist test (${digits.testRows} samples)`);
  });

  it('gives the figures of training with playground features', async () => {
    const e = evaluation(await shardgrad('evaluate', '--model-dir', circle.modelDir, '--json'));
    expect(e.samples).toBe(circle.testRows);
    expect(e.testAccuracy as number).toBeCloseTo(circle.summary.testAccuracy, 6);
    expect(e.datasetOptions).toEqual({ features: 'x2,y2' });
  });

  it('predicts test rows of the split the run used, named with its classes', async () => {
    const r = await shardgrad('predict', '--model-dir', digits.modelDir, '--test-index', '0,1,2', '--json');
    expect(r.lines).toHaveLength(3);
    for (const p of r.lines) {
      expect(['0', '1']).toContain(p.className);
      expect([0, 1]).toContain(p.label);
    }
  });

  it('applies the run’s class subset to another dataset that takes it, and a --dataset-option over it', async () => {
    const e = evaluation(await shardgrad('evaluate', '--model-dir', digits.modelDir, '--dataset', 'fashion-mnist', '--json'));
    expect(e.dataset).toBe('fashion-mnist');
    expect(e.datasetOptions).toEqual({ classes: [0, 1] });
    expect(e.samples).toBe(2000);
    const few = evaluation(await shardgrad('evaluate', '--model-dir', digits.modelDir, '--dataset-option', 'testPerClass=10', '--json'));
    expect(few.datasetOptions).toEqual({ classes: [0, 1], testPerClass: 10 });
    expect(few.samples).toBe(20);
  });

  it('refuses data that does not fit the model instead of printing wrong figures', async () => {
    await expect(shardgrad('evaluate', '--model-dir', digits.modelDir, '--dataset-option', 'classes=null')).rejects.toThrow(
      /mnist as loaded here does not fit the model: 10 classes, the model was trained on 2/,
    );
  });

  it('reads an old-style shardgrad.json: the settings from run.json beside it, else the defaults', async () => {
    // Inside its run directory: run.json has them.
    const copy = join(mkdtempSync(join(tmpdir(), 'shardgrad-old-run-')), basename(digits.runDir));
    cpSync(digits.runDir, copy, { recursive: true });
    makeOldStyle(join(copy, 'model'));
    const loaded = await loadModelDir(join(copy, 'model'));
    expect(loaded.settingsFrom).toBe('run.json');
    expect(loaded.meta.datasetOptions).toEqual({ classes: [0, 1] });
    loaded.model.dispose();
    const e = evaluation(await shardgrad('evaluate', '--model-dir', copy, '--json'));
    expect(e.settingsFrom).toBe('run.json');
    expect(e.samples).toBe(digits.testRows);
    expect(e.testAccuracy as number).toBeCloseTo(digits.summary.testAccuracy, 6);

    // A model directory on its own: nothing recorded, so the user says what it was trained on.
    const alone = join(mkdtempSync(join(tmpdir(), 'shardgrad-old-model-')), 'model');
    cpSync(join(copy, 'model'), alone, { recursive: true });
    expect((await loadModelDir(alone)).settingsFrom).toBe('none');
    await expect(shardgrad('evaluate', '--model-dir', alone)).rejects.toThrow(/does not fit the model.*--dataset-option/);
    const given = await shardgrad('evaluate', '--model-dir', alone, '--dataset-option', 'classes=[0,1]');
    expect(given.text).toMatch(/options classes=\[0,1\] \(an older model with no options recorded.*classes from --dataset-option\)/);
    expect(given.text).toContain(`(${digits.testRows} samples)`);
  });

  it('exports a checkpoint with the run’s settings', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'shardgrad-export-')), 'step-2');
    await shardgrad('export', digits.runDir, '--step', '2', '--out', out, '--json');
    const meta = JSON.parse(readFileSync(join(out, 'shardgrad.json'), 'utf8'));
    expect(meta.step).toBe(2);
    expect(meta.datasetOptions).toEqual({ classes: [0, 1] });
    const e = evaluation(await shardgrad('evaluate', '--model-dir', out, '--json'));
    expect(e.samples).toBe(digits.testRows);
  });
});

describe('evaluate prints the figures of the model’s report, as train does', () => {
  it('regression: RMSE in °C from the saved model, and predictions in °C', async () => {
    const run = await train({ model: 'regression', seed: 2 }, { epochs: 1, maxSteps: 5 });
    const meta = JSON.parse(readFileSync(join(run.modelDir, 'shardgrad.json'), 'utf8'));
    expect(meta.tabular.targetScale.unit).toBe('°C');
    expect(meta.tabular.featureNames).toHaveLength(6);
    const rmse = run.summary.report!.testRmse as number;
    const text = await shardgrad('evaluate', '--model-dir', run.modelDir);
    expect(text.text).toMatch(new RegExp(`testRmse +${figure(rmse).replace('.', '\\.')} °C`));
    expect(text.text).toMatch(/linearBaselineRmse +\d+\.\d+ °C/);
    const json = await shardgrad('evaluate', '--model-dir', run.modelDir, '--json');
    const report = json.lines.find((l) => l.type === 'report')!.figures as Record<string, number>;
    expect(report.testRmse).toBeCloseTo(rmse, 9);
    const p = await shardgrad('predict', '--model-dir', run.modelDir, '--test-index', '0,1');
    expect(p.text).toMatch(/^test#0: -?\d+\.\d\d °C \(true -?\d+\.\d\d °C\)$/m);
    // The training rows' statistics travel with the model, so raw rows are standardized as training did.
    expect(meta.tabular.featureMean).toEqual(loadSeattleTemperature().featureStats.mean);
    expect(meta.tabular.featureStd).toEqual(loadSeattleTemperature().featureStats.std);
    const hours = join(mkdtempSync(join(tmpdir(), 'shardgrad-rows-')), 'hours.csv');
    writeFileSync(hours, 'date,pressure,wind\n2026-07-15T15:00,1018,2.5\n2026-01-10T06:00,1012,4\n');
    const values = async (dir: string) => (await shardgrad('predict', '--model-dir', dir, hours, '--json')).lines.map((l) => l.value as number);
    const recorded = await values(run.modelDir);
    expect(recorded).toHaveLength(2);
    // A model saved before the statistics were recorded gets them from its dataset: the same figures.
    const older = mkdtempSync(join(tmpdir(), 'shardgrad-older-'));
    cpSync(run.modelDir, older, { recursive: true });
    const { featureMean: _m, featureStd: _s, ...olderTabular } = meta.tabular;
    writeFileSync(join(older, 'shardgrad.json'), JSON.stringify({ ...meta, tabular: olderTabular }));
    expect(await values(older)).toEqual(recorded);
  });

  it('multilabel: per-label F1 and exact match', async () => {
    const run = await train({ model: 'multilabel', seed: 2 }, { epochs: 1, maxSteps: 3 });
    const json = await shardgrad('evaluate', '--model-dir', run.modelDir, '--json');
    const report = json.lines.find((l) => l.type === 'report')!.figures as Record<string, number>;
    expect(report.meanF1).toBeCloseTo(run.summary.report!.meanF1 as number, 9);
    expect(report.exactMatch).toBeCloseTo(run.summary.report!.exactMatch as number, 9);
    const p = await shardgrad('predict', '--model-dir', run.modelDir, '--test-index', '0');
    expect(p.text).toMatch(/^test#0: .*; true: .*(even|atLeast5|prime|closedLoop|heavyInk)/m);
  });

  it('pong: the mean return under the run’s model config (serve=top)', async () => {
    const run = await train({ model: 'pong', modelConfig: { serve: 'top', checkEpisodes: 0 }, seed: 1 }, { epochs: 1, maxSteps: 3 });
    const e = evaluation(await shardgrad('evaluate', '--model-dir', run.modelDir, '--json'));
    expect(e.testMeanReturn).toBe(run.summary.testMetrics.meanReturn);
  });
});

describe('evaluate on a word2vec run with a smaller vocabulary', () => {
  it('rebuilds the vocabulary the run used (it crashed on word ids past it)', async () => {
    const run = await train({ model: 'word2vec', datasetOptions: { maxVocab: 2000 }, seed: 1 }, { epochs: 1, maxSteps: 2 });
    const e = evaluation(await shardgrad('evaluate', '--model-dir', run.modelDir, '--no-report', '--json'));
    expect(e.datasetOptions).toEqual({ maxVocab: 2000 });
    expect(e.samples).toBe(run.testRows);
    expect(e.testAccuracy as number).toBeCloseTo(run.summary.testAccuracy, 6);
  });
});

describe('evaluate through the CLI process', () => {
  it('gives the test accuracy and test-split size the training summary gave', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shardgrad-cli-eval-'));
    const t = await runCli(['train', '--model', 'mnist-mlp', '--dataset-option', 'classes=[0,1]', '--steps', '3', '--workers', '1', '--out', out, '--no-dashboard', '--json']);
    expect(t.code, t.stderr).toBe(0);
    const summary = t.lines.at(-1)!;
    const modelDir = summary.modelDir as string;
    const testRows = (JSON.parse(readFileSync(join(modelDir, '..', 'run.json'), 'utf8')).meta.data.test) as number;
    const ev = await runCli(['evaluate', '--model-dir', modelDir, '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.lines[0]!.samples).toBe(testRows);
    expect(ev.lines[0]!.testAccuracy as number).toBeCloseTo(summary.testAccuracy as number, 6);
  });
});
