import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

describe('train → evaluate → predict through the CLI', () => {
  it('trains MNIST on a coordinator and two worker processes to ≥ 90% test accuracy, then reuses the saved model', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shardgrad-cli-'));
    const train = await runCli(['train', '--workers', '2', '--steps', '160', '--batch', '64', '--out', out, '--json'], { timeoutMs: 175_000 });
    expect(train.code, train.stderr).toBe(0);
    const summary = train.lines.at(-1)!;
    expect(summary.type).toBe('summary');
    for (const key of ['testAccuracy', 'testLoss', 'steps', 'samplesPerSecond', 'workers', 'seconds']) expect(summary).toHaveProperty(key);
    expect(summary.steps).toBe(160);
    expect(summary.workers).toBe(2);
    expect(summary.testAccuracy as number).toBeGreaterThanOrEqual(0.9);
    expect(train.lines.filter((l) => l.type === 'prediction')).toHaveLength(5);

    const modelDir = summary.modelDir as string;
    const evaluation = await runCli(['evaluate', '--model-dir', modelDir, '--json']);
    expect(evaluation.code, evaluation.stderr).toBe(0);
    expect(evaluation.lines[0]!.testAccuracy as number).toBeCloseTo(summary.testAccuracy as number, 5);
    // The run directory means its final model, as for predict and export; the text says accuracy in %.
    const byRun = await runCli(['evaluate', '--model-dir', dirname(modelDir)]);
    expect(byRun.code, byRun.stderr).toBe(0);
    expect(byRun.stdout).toMatch(/accuracy \d+\.\d\d%/);
    const wrong = await runCli(['evaluate', '--model-dir', modelDir, '--dataset', 'circle']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/model "mnist-mlp" does not train on dataset "circle"; it takes: .*mnist/);

    const predict = await runCli(['predict', '--model-dir', modelDir, '--test-index', '0,1,2']);
    expect(predict.code, predict.stderr).toBe(0);
    expect(predict.stdout).toMatch(/^test#0: \d \(with \d+% confidence\)$/m);
    expect(predict.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('speaks in real units for a model whose outputs are not class scores (regression)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shardgrad-cli-'));
    const train = await runCli(['train', '--model', 'regression', '--workers', '1', '--steps', '3', '--out', out, '--no-dashboard', '--json']);
    expect(train.code, train.stderr).toBe(0);
    const modelDir = train.lines.at(-1)!.modelDir as string;
    const r = await runCli(['predict', '--model-dir', modelDir, '--test-index', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^test#0: -?\d+\.\d\d °C \(true -?\d+\.\d\d °C\)$/m);
    // Raw rows as a user has them: the date and the readings, standardized with the run's training statistics.
    const hours = join(out, 'hours.csv');
    writeFileSync(hours, 'wind,date,pressure,temperature\n2.5,2026-07-15T15:00,1018,24\n4,2026-01-10T06:00,1012,\n');
    const rows = await runCli(['predict', '--model-dir', modelDir, hours, '--json']);
    expect(rows.code, rows.stderr).toBe(0);
    const [july, january] = rows.lines;
    expect(july).toMatchObject({ input: 'hours.csv:2', unit: '°C', trueValue: 24 });
    expect(january).toMatchObject({ input: 'hours.csv:3' });
    expect(january!.trueValue).toBeUndefined();
    for (const p of [july, january]) expect(Number.isFinite(p!.value)).toBe(true);
    const bad = join(out, 'bad.csv');
    writeFileSync(bad, 'date,pressure,wind\n2026-07-15T15:00,high,2\n');
    const refused = await runCli(['predict', '--model-dir', modelDir, bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bad\.csv line 2: .*"pressure":"high".* is not a row of date, pressure, wind/);
    const image = await runCli(['predict', '--model-dir', modelDir, 'digit.png']);
    expect(image.code).toBe(2);
    expect(image.stderr).toMatch(/regression takes CSV rows \(date,pressure,wind\), not images: digit\.png/);
    const evaluation = await runCli(['evaluate', '--model-dir', modelDir]);
    expect(evaluation.stdout).toMatch(/mae \d+\.\d+(?!%)/);
    expect(evaluation.stdout).not.toMatch(/%/);
    // The same real-unit figure as the training report.
    expect(evaluation.stdout).toMatch(/testRmse +\d+\.\d+ °C/);
  });

  it('says what to use instead for a model predict does not take (birnn: no drawings in its run directory)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shardgrad-cli-'));
    const train = await runCli(['train', '--model', 'birnn', '--workers', '1', '--steps', '2', '--out', out, '--no-dashboard', '--json']);
    expect(train.code, train.stderr).toBe(0);
    const runs = readdirSync(out).map((n) => join(out, n));
    const r = await runCli(['predict', '--model-dir', runs[0]!, '--test-index', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/predict gives a class, labels or a number, and birnn's outputs are a yes\/no tag .*`npx shardgrad evaluate --model-dir /);
    expect(r.stderr).not.toMatch(/holds|drew/);
  });

  it('refuses a missing model directory clearly', async () => {
    const r = await runCli(['evaluate', '--model-dir', '/nonexistent/model']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no model at \/nonexistent\/model: give a run directory/);
  });
});
