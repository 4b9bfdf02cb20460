import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shardgrad sweep (CLI)', () => {
  it('shows help with examples first', async () => {
    const r = await runCli(['sweep', '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimStart().startsWith('Examples:')).toBe(true);
    for (const flag of ['--lr-rule', '--simulate-workers', '--adaptive-batch', '--target-accuracy', '--seeds', '--warmup']) expect(r.stdout).toContain(flag);
  });

  it('refuses bad flags with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--batch', '16,abc'], /--batch.*comma-separated positive integers.*"16,abc"/s],
      [['--lr-rule', 'cubic'], /--lr-rule.*one of none, linear, sqrt, adascale/s],
      [['--target-accuracy', '1.5'], /--target-accuracy.*fraction in \(0, 1\]/s],
      [['--workers', '2', '--simulate-workers', '4'], /--workers \(processes\) or --simulate-workers \(virtual\), not both/],
      [['--max-batch', '512'], /--max-batch only applies with --adaptive-batch/],
      [['--batch', '2', '--simulate-workers', '4', '--sweep-dir', join(dir, 'bad')], /batch 2 cannot be split over 4 workers/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['sweep', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('runs a one-point simulated sweep with live JSON events labelled simulated, then resumes it', async () => {
    const args = ['sweep', '--batch', '12', '--simulate-workers', '3', '--max-steps', '4', '--target-accuracy', '0.05', '--no-stop-at-target', '--lr-rule', 'sqrt', '--sweep-dir', join(dir, 's'), '--json'];
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    const types = r.lines.map((l) => l.type);
    expect(types[0]).toBe('sweep-started');
    const noise = r.lines.filter((l) => l.type === 'noise-scale');
    expect(noise.length).toBeGreaterThan(0);
    for (const n of noise) expect(n).toMatchObject({ point: 'b12-w3-s1', simulated: true });
    const point = r.lines.find((l) => l.type === 'sweep-point')!;
    // 5% accuracy is reached at the first check (step 1); --no-stop-at-target trains on to --max-steps.
    expect(point).toMatchObject({ id: 'b12-w3-s1', fleet: 'simulated', simulated: true, reached: true, stepsToTarget: 1, steps: 4 });
    expect(r.lines[r.lines.length - 1]).toMatchObject({ type: 'sweep-finished', ran: ['b12-w3-s1'], skipped: [], simulated: true });
    expect(readFileSync(join(dir, 's', 'report.md'), 'utf8')).toContain('Simulated fleet');
    expect(readFileSync(join(dir, 's', 'sweep.csv'), 'utf8').split('\n')[1]).toMatch(/^b12-w3-s1,12,3,simulated,1,sqrt,/);

    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.lines.find((l) => l.type === 'sweep-point-skipped')).toMatchObject({ point: 'b12-w3-s1' });
    expect(again.lines[again.lines.length - 1]).toMatchObject({ type: 'sweep-finished', ran: [], skipped: ['b12-w3-s1'] });
  });

  it('trains every point with the model and dataset options, and refuses bad ones before writing anything', async () => {
    const bad = join(dir, 'bad-option');
    const refused = await runCli(['sweep', '--batch', '16', '--simulate-workers', '2', '--set', 'colour=1', '--sweep-dir', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/model "mnist-mlp" has no option "colour"/);
    expect(existsSync(bad)).toBe(false);

    const sweepDir = join(dir, 'options');
    const r = await runCli(['sweep', '--batch', '16', '--simulate-workers', '2', '--max-steps', '3', '--target-accuracy', '0.05', '--dropout', '0.2', '--dataset-option', 'trainPerClass=50', '--sweep-dir', sweepDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const runJson = (readdirSync(sweepDir, { recursive: true }) as string[]).filter((f) => f.endsWith('run.json'));
    expect(runJson).toHaveLength(1);
    const meta = JSON.parse(readFileSync(join(sweepDir, runJson[0]!), 'utf8')).meta;
    expect(meta.model.config).toMatchObject({ dropout: 0.2 });
    expect(meta.data).toMatchObject({ options: { trainPerClass: 50 }, train: 500 });
    expect(readFileSync(join(sweepDir, 'report.md'), 'utf8')).toContain('Options: model {"dropout":0.2}; dataset {"trainPerClass":50}.');
  });
});
