/**
 * The coordinator image's ENTRYPOINT (deploy/docker/coordinator-entrypoint.sh) run from this
 * checkout, as the image runs it: `sh <script> <compose command>`. First how it picks the run to go
 * on from (with a stand-in `shardgrad` that prints its argv), then for real: the compose command is
 * SIGKILLed mid-run, started again unchanged, and goes on from its last checkpoint.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/cli-process.ts';
import { startCli, stopAll, type CliEvent } from './cli-process.ts';
import { inCheckout, interpolate, loadCompose, readDockerfile, type Json } from './deploy-files.ts';

const image = readDockerfile('coordinator.Dockerfile');
const entrypoint = image.entrypoint.map((a) => inCheckout(a));
const compose = loadCompose();
const composeCommand = compose.services.coordinator.command as string[];
const TOKEN = 'deploy-restart-worker-token-0123456789abcdef';
const isType = (t: string) => (e: CliEvent) => e.type === t;

afterEach(() => stopAll());

/** A runs directory holding `runs/<id>/checkpoints/step-N/` for each given run, with or without a training state. */
function runsWith(runs: Record<string, { step: number; state: boolean }[]>, summaries: Record<string, 'completed' | 'stopped'> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'shardgrad-entry-'));
  for (const [id, checkpoints] of Object.entries(runs)) {
    mkdirSync(join(root, id), { recursive: true });
    const reason = summaries[id];
    if (reason) writeFileSync(join(root, id, 'run.json'), JSON.stringify({ id, meta: { summary: { type: 'summary', reason } } }));
    for (const ck of checkpoints) {
      const dir = join(root, id, 'checkpoints', `step-${String(ck.step).padStart(10, '0')}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.json'), '{}');
      if (ck.state) writeFileSync(join(dir, 'training-state.bin'), 'x');
    }
  }
  return root;
}

/** Runs the entrypoint with a stand-in `shardgrad` on PATH that prints the argv it was exec'd with. */
function argvAfterEntrypoint(command: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const bin = mkdtempSync(join(tmpdir(), 'shardgrad-bin-'));
  writeFileSync(join(bin, 'shardgrad'), '#!/bin/sh\nprintf "%s\\n" shardgrad "$@"\n');
  chmodSync(join(bin, 'shardgrad'), 0o755);
  const out = execFileSync(entrypoint[0]!, [...entrypoint.slice(1), ...command], {
    env: { ...process.env, SHARDGRAD_RESUME: '', ...env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.trimEnd().split('\n');
}

describe('coordinator-entrypoint.sh: which run it goes on from', () => {
  const older = '20260101T100000.000Z-000001';
  const newer = '20260102T100000.000Z-000002';

  it('adds --resume with the newest run that has a training state', () => {
    const runs = runsWith({ [older]: [{ step: 500, state: true }], [newer]: [{ step: 500, state: true }, { step: 1000, state: true }] });
    expect(argvAfterEntrypoint(composeCommand, { SHARDGRAD_OUT: runs })).toEqual([...composeCommand, '--resume', join(runs, newer)]);
  });

  it('starts a new run when the newest run has no training state yet, rather than go back to an older one', () => {
    // The teacher left the older run for a newer one, which crashed before its first checkpoint.
    const runs = runsWith({ [older]: [{ step: 500, state: true }], [newer]: [{ step: 500, state: false }] });
    expect(argvAfterEntrypoint(composeCommand, { SHARDGRAD_OUT: runs })).toEqual(composeCommand);
    const noCheckpointYet = runsWith({ [older]: [{ step: 500, state: true }], [newer]: [] }, { [newer]: 'stopped' });
    expect(argvAfterEntrypoint(composeCommand, { SHARDGRAD_OUT: noCheckpointYet })).toEqual(composeCommand);
  });

  it('starts a new run after one that completed, and goes on from one that was stopped', () => {
    const runs = runsWith({ [older]: [{ step: 500, state: true }], [newer]: [{ step: 1000, state: true }] }, { [newer]: 'completed' });
    expect(argvAfterEntrypoint(composeCommand, { SHARDGRAD_OUT: runs })).toEqual(composeCommand);
    const stopped = runsWith({ [newer]: [{ step: 1000, state: true }] }, { [newer]: 'stopped' });
    expect(argvAfterEntrypoint(composeCommand, { SHARDGRAD_OUT: stopped })).toEqual([...composeCommand, '--resume', join(stopped, newer)]);
  });

  it('reads the runs directory from --out as well', () => {
    const runs = runsWith({ [older]: [{ step: 500, state: true }] });
    expect(argvAfterEntrypoint([...composeCommand, '--out', runs]).slice(-2)).toEqual(['--resume', join(runs, older)]);
    expect(argvAfterEntrypoint([...composeCommand, `--out=${runs}`]).slice(-2)).toEqual(['--resume', join(runs, older)]);
  });

  it('starts a new run when there is nothing to go on from', () => {
    expect(argvAfterEntrypoint(composeCommand, { SHARDGRAD_OUT: runsWith({ [older]: [{ step: 500, state: false }] }) })).toEqual(composeCommand);
    expect(argvAfterEntrypoint(composeCommand, { SHARDGRAD_OUT: join(tmpdir(), 'shardgrad-no-such-dir') })).toEqual(composeCommand);
  });

  it('leaves an explicit resume, and commands other than the coordinator, as they are', () => {
    const runs = runsWith({ [older]: [{ step: 500, state: true }] });
    const pinned = [...composeCommand, '--resume', '/elsewhere'];
    expect(argvAfterEntrypoint(pinned, { SHARDGRAD_OUT: runs })).toEqual(pinned);
    expect(argvAfterEntrypoint(composeCommand, { SHARDGRAD_OUT: runs, SHARDGRAD_RESUME: '/elsewhere' })).toEqual(composeCommand);
    expect(argvAfterEntrypoint(['shardgrad', 'worker', '--json'], { SHARDGRAD_OUT: runs })).toEqual(['shardgrad', 'worker', '--json']);
  });
});

describe('the compose coordinator, killed and started again as the orchestrator would', () => {
  it('goes on from the last checkpoint of its run, under the same run id, and finishes it', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'shardgrad-restart-'));
    const port = await freePort();
    const env = {
      ...Object.fromEntries(Object.entries(compose.services.coordinator.environment as Json).map(([k, v]) => [k, interpolate(String(v), { SHARDGRAD_WORKER_TOKEN: TOKEN })])),
      SHARDGRAD_PORT: String(port),
      SHARDGRAD_OUT: runs,
      SHARDGRAD_RESUME: '',
    };
    // The compose command as written, with a short run; --checkpoint-every 4 replaces its 500 (the last one counts).
    const command = [...entrypoint, ...composeCommand, '--no-dashboard', '--steps', '12', '--batch', '32', '--checkpoint-every', '4', '--json'];
    const first = startCli(command, { literal: true, env });
    const listening = await first.waitFor(isType('listening'), 'the coordinator to listen');
    expect(first.stderr()).toMatch(/no run under .*; starting a new run/);
    const worker = startCli(['worker', '--url', `http://127.0.0.1:${port}`, '--token', TOKEN, '--backend', 'wasm', '--json']);

    const checkpoint = await first.waitFor((e) => e.type === 'checkpoint' && e.step === 8, 'the step-8 checkpoint');
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');

    const second = startCli(command, { literal: true, env });
    const resumed = await second.waitFor(isType('resumed'), 'the resume');
    expect(second.stderr()).toMatch(/going on from the latest checkpoint of/);
    expect(resumed.step).toBeGreaterThanOrEqual(8);
    expect((await second.waitFor(isType('listening'), 'the second coordinator to listen')).runId).toBe(listening.runId);
    const summary = await second.waitFor(isType('summary'), 'the summary');
    expect(summary).toMatchObject({ runId: listening.runId, steps: 12 });
    expect(String(summary.modelDir).startsWith(join(runs, String(listening.runId)))).toBe(true);
    expect(String(checkpoint.path).startsWith(join(runs, String(listening.runId)))).toBe(true);
    // The worker that outlived the first coordinator came back to the second, into the same run.
    await worker.waitFor((e) => e.type === 'resumed' && e.runId === listening.runId, 'the worker to rejoin its run');
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);
  }, 300_000);
});
