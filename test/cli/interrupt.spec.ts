import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { checkpointName } from '@shardgrad/runlog';
import { runCli } from '../support/run-cli.ts';
import { shardgradArgv } from '../../apps/cli/src/launch/bin.ts';

/** `train --json <args>` for a long run, Ctrl-C'd after its first round: its exit code, stderr and JSON lines. */
async function trainThenCtrlC(...args: string[]): Promise<{ code: number | null; stderr: string; lines: Record<string, unknown>[] }> {
  const out = mkdtempSync(join(tmpdir(), 'shardgrad-interrupt-'));
  const child = spawn(process.execPath, shardgradArgv('train', ...args, '--workers', '1', '--steps', '100000', '--no-dashboard', '--json', '--out', out), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: Record<string, unknown>[] = [];
  let interrupted = false;
  createInterface({ input: child.stdout }).on('line', (l) => {
    if (!l.startsWith('{')) return;
    const e = JSON.parse(l) as Record<string, unknown>;
    lines.push(e);
    if (e.type === 'round' && !interrupted) {
      interrupted = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(interrupted, stderr).toBe(true);
  return { code, stderr, lines };
}

it('Ctrl-C on train stops at a round boundary, saves the model and exits 130, not 0', async () => {
  const { code, stderr, lines } = await trainThenCtrlC('--model', 'regression');
  expect(code, stderr).toBe(130);
  expect(stderr).toMatch(/interrupted \(Ctrl-C\) after \d+ steps; the model and checkpoint so far are saved/);
  const summary = lines.filter((e) => e.type === 'summary').at(-1)!;
  expect(summary.steps as number).toBeLessThan(100000);
  expect(existsSync(join(summary.modelDir as string, 'model.json'))).toBe(true);

  // The checkpoint is where it stopped, so a resume trains no step twice and logs none twice.
  const runDir = dirname(summary.modelDir as string);
  const stoppedAt = summary.steps as number;
  expect(existsSync(join(runDir, 'checkpoints', checkpointName(stoppedAt), 'training-state.bin'))).toBe(true);
  const resumed = await runCli(['train', '--model', 'regression', '--workers', '1', '--steps', String(stoppedAt + 5), '--resume', runDir, '--no-dashboard', '--json']);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.lines.find((e) => e.type === 'resumed')).toMatchObject({ step: stoppedAt });
  // A flag the checkpoint decides otherwise is refused, not silently ignored; a missing path is the user's too.
  const contradicted = await runCli(['train', '--model', 'regression', '--batch', '7', '--resume', runDir, '--no-dashboard']);
  expect(contradicted.code).toBe(2);
  expect(contradicted.stderr).toMatch(/--resume goes on with the run's own settings, which these flags contradict: --batch 7 \(the checkpoint's: \d+\)/);
  const missing = await runCli(['train', '--resume', join(dirname(runDir), 'no-such-run'), '--no-dashboard']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/--resume .*no-such-run: no such file or directory/);
  const trainSteps = readFileSync(join(runDir, 'metrics.csv'), 'utf8').split('\n').filter((l) => /^\d+,train,/.test(l)).map((l) => Number(l.split(',')[0]));
  expect(trainSteps).toEqual(Array.from({ length: stoppedAt + 5 }, (_, i) => i + 1));
}, 180_000);

it('SIGTERM on a coordinator mid-run (docker stop, a pod replaced) checkpoints where it stopped and exits 143', async () => {
  const out = mkdtempSync(join(tmpdir(), 'shardgrad-sigterm-'));
  const env = { ...process.env, SHARDGRAD_WORKER_TOKEN: 'sigterm-test-token-0123456789' };
  const coordinator = spawn(process.execPath, shardgradArgv('coordinator', '--port', '0', '--no-dashboard', '--steps', '100000', '--json', '--out', out), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  coordinator.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: Record<string, unknown>[] = [];
  let worker: ReturnType<typeof spawn> | undefined;
  createInterface({ input: coordinator.stdout }).on('line', (l) => {
    if (!l.startsWith('{')) return;
    const e = JSON.parse(l) as Record<string, unknown>;
    lines.push(e);
    if (e.type === 'listening' && !worker) worker = spawn(process.execPath, shardgradArgv('worker', '--url', e.url as string, '--backend', 'cpu'), { env, stdio: 'ignore' });
    if (e.type === 'round' && e.step === 3) coordinator.kill('SIGTERM');
  });
  try {
    const code = await new Promise<number | null>((resolve) => coordinator.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(143);
    const summary = lines.find((e) => e.type === 'summary')!;
    expect(summary.reason).toBe('stopped');
    const stoppedAt = summary.steps as number;
    expect(stderr).toContain(`stopped by SIGTERM at step ${stoppedAt}; resume with --resume`);
    expect(existsSync(join(out, summary.runId as string, 'checkpoints', checkpointName(stoppedAt), 'training-state.bin'))).toBe(true);
  } finally {
    worker?.kill('SIGKILL');
  }
}, 120_000);

it('Ctrl-C on a phased model stops the training phase at a round boundary, saves it, starts no further phase and exits 130', async () => {
  const { code, stderr, lines } = await trainThenCtrlC('--model', 'birnn');
  expect(code, stderr).toBe(130);
  const phases = lines.filter((e) => e.type === 'phase').map((e) => e.phase);
  expect(phases, 'the phase after the stopped one does not start').toEqual(['bidirectional']);
  expect(stderr).toMatch(/interrupted \(Ctrl-C\) in phase bidirectional after \d+ steps; its model and checkpoint are saved in .*; not started: forward/);
  const phase = lines.find((e) => e.type === 'summary' && e.phase === 'bidirectional')!;
  expect(phase.steps as number).toBeLessThan(100000);
  expect(existsSync(join(phase.modelDir as string, 'model.json'))).toBe(true);
  expect(existsSync(join(phase.runDir as string, 'checkpoints', checkpointName(phase.steps as number), 'training-state.bin'))).toBe(true);
  expect(lines.some((e) => e.type === 'pipeline-summary')).toBe(false);
}, 180_000);
