import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, processesOfThisSuite } from '../support/cli-process.ts';
import { runCli } from '../support/run-cli.ts';

const TOKEN = 'worker-exit-test-token-0123456789';
const scratch = () => mkdtempSync(join('/tmp', 'sg-worker-exit-'));
const coordinatorArgs = (port: number, steps: number) => ['coordinator', '--port', String(port), '--out', scratch(), '--steps', String(steps), '--batch', '32', '--min-workers', '1', '--eval-every', '100000', '--no-dashboard', '--json', '--worker-token', TOKEN];
const workerArgs = (port: number, ...more: string[]) => ['worker', '--url', `http://127.0.0.1:${port}`, '--backend', 'cpu', '--json', ...more];

/**
 * What a supervisor (a Kubernetes Job, `launch`, a script) reads from a real worker process: exit 0
 * only where the training finished or the worker was asked to leave.
 */
describe('shardgrad worker exit codes', () => {
  const start = processesOfThisSuite();

  it('started before its coordinator, waits for it, and exits 0 when told training finished', async () => {
    const port = await freePort();
    const worker = start(workerArgs(port, '--token', TOKEN, '--wait-timeout', '150'));
    expect(await worker.waitFor((l) => l.type === 'waiting')).toMatchObject({ seconds: 150 });
    start(coordinatorArgs(port, 3));
    await worker.waitFor((l) => l.type === 'joined');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.lines.at(-1)).toMatchObject({ type: 'worker-done', cause: 'stopped', reason: 'training finished', exitCode: 0 });
  });

  it('exits 1 with the reason when no coordinator answers within --wait-timeout', async () => {
    const port = await freePort();
    const r = await runCli(workerArgs(port, '--wait-timeout', '1'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot reach coordinator at http://127.0.0.1:${port} within 1 s`));
  });

  it('exits 2 on a wrong token; SIGTERM while it reconnects to a killed coordinator exits 143', async () => {
    const port = await freePort();
    const coordinator = start(coordinatorArgs(port, 100_000));
    await coordinator.waitFor((l) => l.type === 'listening');
    const refused = await runCli(workerArgs(port, '--token', 'not-the-token-at-all-0000'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/coordinator refused to join: wrong join code or worker token/);

    const worker = start(workerArgs(port, '--token', TOKEN));
    await worker.waitFor((l) => l.type === 'shard');
    coordinator.child.kill('SIGKILL');
    await worker.waitFor((l) => l.type === 'disconnected');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 143, signal: null });
    expect(worker.lines.at(-1)).toMatchObject({ type: 'worker-done', cause: 'closed', exitCode: 143 });
  });
});
