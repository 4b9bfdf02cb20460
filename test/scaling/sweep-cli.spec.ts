import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shardgradArgv } from '../../apps/cli/src/launch/bin.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The worker processes `pid` started (`shardgrad worker`), by their ids. */
function workerChildren(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    // ps exits 1 when there are none.
  }
  return out
    .split('\n')
    .filter((l) => /shardgrad\.mjs worker /.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A sweep over two real worker processes, sent `signal` (to the sweep's process only, as `kill <pid>`
 * does) once it is training. Resolves with its exit code, output and the workers' pids.
 */
function interruptedSweep(sweepDir: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; lines: Record<string, unknown>[]; workers: number[] }> {
  const args = ['sweep', '--batch', '16', '--workers', '2', '--max-steps', '2000', '--target-accuracy', '0.99', '--sweep-dir', sweepDir, '--json'];
  const child = spawn(process.execPath, shardgradArgv(...args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let workers: number[] = [];
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => {
    stdout += d;
    // A noise-scale event means a round ran on both workers: the point is training.
    if (workers.length === 0 && stdout.includes('"type":"noise-scale"')) {
      workers = workerChildren(child.pid!);
      child.kill(signal);
    }
  });
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stderr, lines, workers });
    }),
  );
}

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

  for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`on ${signal} stops the running point and its worker processes, says how to resume, and exits ${status}`, async () => {
      const sweepDir = join(dir, `interrupted-${signal}`);
      const r = await interruptedSweep(sweepDir, signal);
      expect(r.code, r.stderr).toBe(status);
      expect(r.workers).toHaveLength(2);
      // The sweep waited for its workers to exit: none is left running (re-parented to PID 1).
      for (const pid of r.workers) expect(isAlive(pid), `worker ${pid}`).toBe(false);
      expect(r.stderr).toContain(`sweep interrupted (${signal}) during b16-w2-s1`);
      expect(r.stderr).toMatch(/Rerun the same command to resume:\n {2}npx shardgrad sweep --batch 16 --workers 2 /);
      expect(r.lines[r.lines.length - 1]).toMatchObject({ type: 'sweep-interrupted', signal, point: 'b16-w2-s1' });
      // The interrupted point is not recorded, and its partial run directory is gone.
      expect(existsSync(join(sweepDir, 'sweep.jsonl'))).toBe(false);
      expect(readdirSync(join(sweepDir, 'runs'))).toEqual([]);
    }, 120_000);
  }

  it('refuses a corrupt sweep.json with exit 2 and a plain message, writing nothing', async () => {
    const sweepDir = join(dir, 'corrupt');
    mkdirSync(sweepDir);
    writeFileSync(join(sweepDir, 'sweep.json'), 'hello');
    const r = await runCli(['sweep', '--batch', '16', '--simulate-workers', '2', '--sweep-dir', sweepDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(sweepDir, 'sweep.json')} is not a sweep's sweep.json (not valid JSON)`);
    expect(r.stderr).not.toMatch(/Unexpected token/);
    expect(readdirSync(sweepDir)).toEqual(['sweep.json']);
  });

  it('says the noise scale was measured but not positive, not that one worker ran, when |G|² came out negative', async () => {
    // Three steps at batch 2 average |G|² over too few noisy rounds to come out positive (as the QA run found).
    const sweepDir = join(dir, 'noisy');
    const r = await runCli(['sweep', '--batch', '2', '--simulate-workers', '2', '--max-steps', '3', '--target-accuracy', '0.99', '--sweep-dir', sweepDir]);
    expect(r.code, r.stderr).toBe(0);
    const point = JSON.parse(readFileSync(join(sweepDir, 'sweep.jsonl'), 'utf8').trim()) as { noiseWindow: { rounds: number; gradSq: number } | null };
    expect(point.noiseWindow?.rounds).toBeGreaterThan(0);
    const report = readFileSync(join(sweepDir, 'report.md'), 'utf8');
    expect(report).not.toMatch(/one shard per round/);
    if (point.noiseWindow!.gradSq <= 0) {
      expect(r.stdout).toMatch(/b2-w2-s1: .*noise scale undefined: the measured \|G\|² was not positive/);
      expect(r.stdout).toMatch(/no noise scale: it was measured, but the estimate of \|G\|² was not positive/);
      expect(report).toMatch(/The noise scale was measured, but the estimate of \|G\|² was not positive/);
    } else {
      expect(r.stdout).toMatch(/b2-w2-s1: .*B_simple/);
    }
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
