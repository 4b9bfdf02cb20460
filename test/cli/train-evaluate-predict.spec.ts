import { mkdtempSync, readdirSync } from 'node:fs';
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
    const image = await runCli(['predict', '--model-dir', modelDir, 'digit.png']);
    expect(image.code).toBe(2);
    expect(image.stderr).toMatch(/regression takes rows of standardized features, not images: give --test-index/);
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
