import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.ts';

describe('shardgrad train: regularization and training flags', () => {
  it('refuses bad option values and combinations with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['train', '--dropout', '1.5'], /--dropout.*expected a rate in \[0, 1\), got "1.5"/s],
      [['train', '--lr-schedule', 'linear'], /unknown lr schedule "linear"; forms: constant, step:<epochs>:<gamma>, cosine or exponential:<rate>/],
      [['train', '--augment', 'spin=3'], /augment: unknown option "spin"; known options: crop, flip, translate, scale, rotate, noise/],
      [['train', '--early-stopping', '3'], /need a validation split \(e\.g\. --validation-split 0\.1\)/],
      [['train', '--model', 'cnn', '--set', 'filter=3', '--steps', '1'], /model "cnn" has no option "filter"/],
      [['train', '--batch-norm', '--layer-norm', '--steps', '1'], /batchNorm and layerNorm are alternatives/],
      [['train', '--split', 'fastest'], /--split.*expected one of speed, equal, got "fastest"/s],
      [['coordinator', '--split', 'fastest'], /--split.*expected one of speed, equal, got "fastest"/s],
      [['coordinator', '--dropout', '1.5'], /--dropout.*expected a rate in \[0, 1\), got "1.5"/s],
      [['coordinator', '--early-stopping', '3', '--port', '0'], /need a validation split/],
      [['coordinator', '--model', 'transfer', '--port', '0'], /model "transfer" trains in phases \(pretrain, finetune, scratch\).*--set stage=<pretrain\|scratch>/s],
      [['coordinator', '--model', 'seq2seq', '--port', '0'], /model "seq2seq" trains in phases \(attention, plain\).*--set attention=<true\|false>/s],
      [['coordinator', '--model', 'transfer', '--set', 'stage=finetune', '--port', '0'], /phase finetune of transfer starts from the weights of phase pretrain.*shardgrad train --model transfer --set stage=finetune/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli([...args, '--no-dashboard']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const joined = await runCli(['launch', '--nproc-per-node', '1', '--join', 'http://127.0.0.1:9', '--dropout', '0.1', '--lr-schedule', 'cosine']);
    expect(joined.code).toBe(2);
    expect(joined.stderr).toMatch(/--dropout, --lr-schedule: with --join the coordinator already decided the run/);
  });

  it('trains with the options through real worker processes', async () => {
    const r = await runCli([
      'train', '--steps', '12', '--batch', '32', '--no-dashboard', '--json', '--out', mkdtempSync(join(tmpdir(), 'shardgrad-training-flags-')),
      '--dropout', '0.1', '--l2', '1e-4', '--batch-norm', '--normalize', '--augment', 'crop=1,rotate=5',
      '--lr-schedule', 'cosine', '--warmup', '3', '--validation-split', '0.1', '--validate-every', '4', '--restore-best', '--early-stopping', '5',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = r.lines.find((l) => l.type === 'summary')!;
    expect(summary.steps).toBe(12);
    expect(summary.workers).toBe(2);
    expect(summary.lrSchedule).toBe('cosine');
    expect(summary.restoredBest).toBe(true);
    expect(r.lines.filter((l) => l.type === 'evaluation' && l.split === 'validation' && (l.step as number) % 4 === 0).length).toBeGreaterThanOrEqual(3);
    expect(summary.testAccuracy as number).toBeGreaterThan(0.3);
  });

  it('reach the run through `launch` and `coordinator`, for workers that join from elsewhere', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shardgrad-launch-flags-'));
    try {
      const r = await runCli([
        'launch', '--nproc-per-node', '1', '--steps', '12', '--batch', '32', '--json', '--out', out,
        '--dropout', '0.1', '--no-normalize', '--dataset-option', 'trainPerClass=100',
        '--lr-schedule', 'cosine', '--warmup', '3', '--validation-split', '0.1', '--validate-every', '4', '--restore-best',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const summary = r.lines.find((l) => l.type === 'summary')!;
      expect(summary.lrSchedule).toBe('cosine');
      expect(summary.restoredBest).toBe(true);
      expect(r.lines.filter((l) => l.type === 'evaluation' && l.split === 'validation' && (l.step as number) % 4 === 0).length).toBeGreaterThanOrEqual(3);
      const [runId] = readdirSync(out);
      const meta = JSON.parse(readFileSync(join(out, runId!, 'run.json'), 'utf8')).meta;
      expect(meta.model.config).toMatchObject({ dropout: 0.1, normalize: false });
      expect(meta.data.options).toEqual({ trainPerClass: 100 });
      expect(meta.data.train).toBe(1000);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('--steps alone runs that many steps, past the model\'s default epochs', async () => {
    // mnist-mlp defaults to 10 epochs of its 8,500 rows: 1,330 steps at batch 64.
    const r = await runCli(['train', '--steps', '1400', '--local-workers', 'threads', '--no-dashboard', '--json', '--out', mkdtempSync(join(tmpdir(), 'shardgrad-steps-'))]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.find((l) => l.type === 'summary')).toMatchObject({ steps: 1400, reason: 'completed' });
  });
});
