/**
 * The commands the images and compose.yaml run, run here for real (no container engine on these
 * machines): the coordinator's compose command with its compose environment, the GPU and CPU worker
 * images' CMDs with theirs, and the coordinator image's HEALTHCHECK command. Adapted to one machine
 * and a few steps only where they must be: a free port, 127.0.0.1 for the `coordinator` host name,
 * `--steps 3 --batch 32`, and WORLD_SIZE 2 for the two workers started here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { containersOf, find, inCheckout, interpolate, K8S_BASE, loadCompose, readDockerfile, renderKustomization, ROOT, type Json } from './deploy-files.ts';
import { alive, getJson, startCli, stopAll, type CliEvent } from './cli-process.ts';

const compose = loadCompose();
const vars = { SHARDGRAD_WORKER_TOKEN: 'deploy-test-worker-token-0123456789abcdef' };
const envOfService = (svc: string, over: Record<string, string>): Record<string, string> => ({
  ...Object.fromEntries(Object.entries((compose.services[svc] as Json).environment as Record<string, string>).map(([k, v]) => [k, interpolate(v, vars)])),
  ...over,
});
const isType = (t: string) => (e: CliEvent) => e.type === t;
/** The coordinator image's ENTRYPOINT, from this checkout: compose's `command:` runs behind it. */
const coordinatorEntrypoint = readDockerfile('coordinator.Dockerfile').entrypoint.map((a) => inCheckout(a));

/** An empty runs volume: the entrypoint would otherwise go on from a run an earlier test left in runs/. */
const freshRunsDir = () => mkdtempSync(join(tmpdir(), 'shardgrad-image-runs-'));

/** Runs the image's HEALTHCHECK command as Docker would (exec form, the container's env) and returns its exit code. */
function runHealthcheck(port: number): Promise<number> {
  const [cmd, ...args] = readDockerfile('coordinator.Dockerfile').healthcheck!;
  return new Promise((resolve) => {
    execFile(cmd!, args, { cwd: ROOT, env: { ...process.env, SHARDGRAD_PORT: String(port) } }, (err) => resolve(err ? Number(err.code ?? 1) : 0));
  });
}

afterEach(() => stopAll());

describe("the images' commands, run for real", () => {
  it('coordinator + GPU and CPU worker images train together; health checks and probes answer', async () => {
    // Nothing listens on the discard port of loopback: the health check must fail there.
    expect(await runHealthcheck(9)).not.toBe(0);

    const coordCommand = [...coordinatorEntrypoint, ...(compose.services.coordinator.command as string[]), '--steps', '3', '--batch', '32', '--port', '0', '--json'];
    const coord = startCli(coordCommand, { literal: true, env: envOfService('coordinator', { SHARDGRAD_PORT: '0', WORLD_SIZE: '2', SHARDGRAD_OUT: freshRunsDir() }) });
    const listening = await coord.waitFor(isType('listening'), 'the coordinator to listen');
    const base = new URL(listening.url as string);
    const port = Number(base.port);
    await coord.waitFor(isType('waiting'), 'the coordinator to wait for workers');

    // Ready while it waits for workers: what the readiness probe and the compose health check see.
    expect(await getJson(new URL('/readyz', base).href)).toEqual({ status: 200, body: { ready: true, phase: 'waiting-for-workers' } });
    expect(await runHealthcheck(port)).toBe(0);
    const deployment = containersOf(find(renderKustomization(K8S_BASE), 'Deployment', 'shardgrad-coordinator'))[0]!;
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const res = await fetch(new URL(deployment[probe].httpGet.path, base));
      expect(res.status, probe).toBe(200);
    }
    const status = await getJson(new URL('/api/status', base).href);
    expect(status.status).toBe(200);
    expect(status.body.run.model).toBe('mnist-mlp');

    const workerEnv = (svc: string, nodeRank: string) =>
      envOfService(svc, { MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), WORLD_SIZE: '2', NODE_RANK: nodeRank });
    const gpu = startCli([...readDockerfile('worker-gpu.Dockerfile').cmd, '--json'], { literal: true, env: workerEnv('gpu-worker', '0') });
    const cpu = startCli([...readDockerfile('worker-cpu.Dockerfile').cmd, '--json'], { literal: true, env: workerEnv('cpu-worker', '1') });

    const summary = await coord.waitFor(isType('summary'), 'the summary');
    expect(summary).toMatchObject({ steps: 3, workers: 2 });
    const nicknames = coord.events.filter(isType('worker-joined')).map((e) => e.worker.nickname);
    expect(nicknames.sort()).toEqual(['rank-0', 'rank-1']);

    // --keep-alive with the dashboard: the class goes on between runs, still ready, until SIGTERM.
    expect(await getJson(new URL('/readyz', base).href)).toEqual({ status: 200, body: { ready: true, phase: 'finished' } });
    expect((await fetch(new URL('/healthz', base))).status).toBe(200);
    expect(await runHealthcheck(port)).toBe(0);
    coord.child.kill('SIGTERM');
    expect((await coord.exit).code).toBe(0);
    // The coordinator ends the class by stopping its workers: both fleet members end cleanly (a Job completes).
    expect((await gpu.exit).code).toBe(0);
    expect((await cpu.exit).code).toBe(0);
    for (const p of [coord, gpu, cpu]) expect(alive(p.child.pid!)).toBe(false);
  }, 300_000);

  it('with --no-dashboard: workers are released when the run ends, and one that joins later is told so', async () => {
    const coordCommand = [...coordinatorEntrypoint, ...(compose.services.coordinator.command as string[]), '--no-dashboard', '--steps', '2', '--batch', '32', '--port', '0', '--json'];
    const coord = startCli(coordCommand, { literal: true, env: envOfService('coordinator', { SHARDGRAD_PORT: '0', WORLD_SIZE: '1', SHARDGRAD_OUT: freshRunsDir() }) });
    const port = Number(new URL((await coord.waitFor(isType('listening'), 'the coordinator to listen')).url as string).port);
    const workerEnv = (svc: string, nodeRank: string) => envOfService(svc, { MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), NODE_RANK: nodeRank });
    const gpu = startCli([...readDockerfile('worker-gpu.Dockerfile').cmd, '--json'], { literal: true, env: workerEnv('gpu-worker', '0') });
    await coord.waitFor(isType('serving'), 'the coordinator to keep serving after the run');
    expect((await gpu.exit).code).toBe(0);
    const late = startCli([...readDockerfile('worker-cpu.Dockerfile').cmd, '--json'], { literal: true, env: workerEnv('cpu-worker', '1') });
    expect((await late.exit).code).toBe(0);
    // It was admitted and then sent away (not refused at the door): the run it joined was over.
    expect(coord.events.some((e) => e.type === 'worker-joined' && e.worker.nickname === 'rank-1')).toBe(true);
    expect(coord.events.filter(isType('round'))).toHaveLength(2);
    expect(await getJson(`http://127.0.0.1:${port}/readyz`)).toEqual({ status: 200, body: { ready: true, phase: 'finished' } });
    coord.child.kill('SIGTERM');
    expect((await coord.exit).code).toBe(0);
  }, 300_000);
});
