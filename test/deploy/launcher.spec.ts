/**
 * `shardgrad launch` end to end: real coordinator and worker processes training mnist-mlp for a
 * few steps. Every wait is on an event the launcher or the coordinator prints.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/cli-process.ts';
import { alive, startCli as start, stopAll, type CliEvent, type CliProcess } from './cli-process.ts';

/** A run directory's home of its own: nothing lands in the checkout's runs/. */
const runsDir = () => mkdtempSync(join(tmpdir(), 'shardgrad-launch-'));

const isType = (t: string) => (e: CliEvent) => e.type === t;
const firstRound = (e: CliEvent) => e.type === 'round' && e.step >= 1;

const running: CliProcess[] = [];
const startCli = (...a: Parameters<typeof start>) => {
  const p = start(...a);
  running.push(p);
  return p;
};
afterEach(() => stopAll(running.splice(0).flatMap(launchedPids)));

/** Every pid the launcher reported (coordinator and each worker attempt). */
function launchedPids(p: CliProcess): number[] {
  return p.events.filter((e) => e.type === 'launch-coordinator' || e.type === 'launch-worker').map((e) => e.pid as number);
}

describe('shardgrad launch', () => {
  it('starts a coordinator and N workers that carry RANK and --threads, trains, and exits 0', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shardgrad-launch-'));
    const p = startCli(['launch', '--nproc-per-node', '2', '--threads', '2', '--steps', '3', '--batch', '64', '--out', out, '--json']);
    const summary = await p.waitFor(isType('summary'), 'the summary');
    expect((await p.exit).code).toBe(0);
    expect(summary).toMatchObject({ steps: 3, workers: 2, model: 'mnist-mlp' });
    expect(summary.modelDir.startsWith(out), summary.modelDir).toBe(true);
    expect(existsSync(join(summary.modelDir, 'model.json'))).toBe(true);
    const joined = p.events.filter(isType('worker-joined')).map((e) => e.worker);
    expect(joined.map((w) => w.nickname).sort()).toEqual(['rank-0', 'rank-1']);
    expect(joined.map((w) => w.threads)).toEqual([2, 2]);
    expect(p.events.filter(isType('launch-worker')).map((e) => e.rank).sort()).toEqual([0, 1]);
    // The workers' own events come through, each with its rank; per-shard progress does not.
    expect(p.events.filter(isType('backend')).map((e) => e.rank).sort()).toEqual([0, 1]);
    expect(p.events.filter(isType('joined')).map((e) => [e.rank, e.runId])).toEqual(expect.arrayContaining([[0, summary.runId], [1, summary.runId]]));
    expect(p.events.some(isType('shard'))).toBe(false);
    expect(p.events.find(isType('launch-exit'))).toMatchObject({ status: 0 });
    for (const pid of launchedPids(p)) expect(alive(pid), `pid ${pid}`).toBe(false);
  }, 300_000);

  it('restarts a worker killed mid-run, and training completes with it back', async () => {
    const p = startCli(['launch', '--nproc-per-node', '2', '--max-restarts', '2', '--steps', '8', '--batch', '32', '--json', '--out', runsDir()]);
    await p.waitFor(firstRound, 'the first round');
    const pidOf = (rank: number) => p.events.find((e) => e.type === 'launch-worker' && e.rank === rank)!.pid as number;
    const [victim, survivor] = [pidOf(1), pidOf(0)];
    const firstJoin = p.events.find((e) => e.type === 'worker-joined' && e.worker.nickname === 'rank-1');
    // Freeze the survivor so that no round can finish until the restarted worker is back: the
    // rest of the run then depends on the restart, whatever the machine's speed.
    process.kill(survivor, 'SIGSTOP');
    process.kill(victim, 'SIGKILL');
    try {
      const exitSeen = await p.waitFor((e) => e.type === 'launch-worker-exit' && e.rank === 1, 'the killed worker to be noticed');
      expect(exitSeen).toMatchObject({ signal: 'SIGKILL', restarting: true, attempt: 0 });
      const restarted = await p.waitFor((e) => e.type === 'launch-worker' && e.rank === 1 && e.attempt === 1, 'the restart');
      expect(restarted.pid).not.toBe(victim);
      await p.waitFor((e) => e.type === 'worker-joined' && e.worker.nickname === 'rank-1' && e !== firstJoin, 'the restarted worker to join');
    } finally {
      process.kill(survivor, 'SIGCONT');
    }
    const summary = await p.waitFor(isType('summary'), 'the summary');
    expect((await p.exit).code).toBe(0);
    expect(summary.steps).toBe(8);
    expect(p.events.filter((e) => e.type === 'worker-joined' && e.worker.nickname === 'rank-1')).toHaveLength(2);
    for (const pid of launchedPids(p)) expect(alive(pid), `pid ${pid}`).toBe(false);
  }, 300_000);

  it("passes SIGTERM on to every process and exits with the coordinator's status", async () => {
    const p = startCli(['launch', '--nproc-per-node', '2', '--steps', '100000', '--batch', '32', '--json', '--out', runsDir()]);
    await p.waitFor(firstRound, 'the first round');
    p.child.kill('SIGTERM');
    const exit = await p.exit;
    const coord = p.events.find(isType('launch-coordinator-exit'))!;
    // A coordinator ended by SIGTERM reports 128 + 15, as a shell would; one that handled it, its own code.
    const expected = coord.signal === 'SIGTERM' ? 143 : coord.code;
    expect(exit.code).toBe(expected);
    expect(exit.code).not.toBe(0);
    // A coordinator stopped by SIGTERM checkpoints at the round boundary; its summary, if any, says so.
    for (const summary of p.events.filter(isType('summary'))) expect(summary.reason).toBe('stopped');
    for (const pid of launchedPids(p)) expect(alive(pid), `pid ${pid}`).toBe(false);
  }, 300_000);

  it('ends the run with status 1 when a worker crashes past --max-restarts, stopping the rest', async () => {
    const p = startCli(['launch', '--nproc-per-node', '2', '--max-restarts', '0', '--steps', '100000', '--batch', '32', '--json', '--out', runsDir()]);
    await p.waitFor(firstRound, 'the first round');
    const victim = p.events.find((e) => e.type === 'launch-worker' && e.rank === 0)!;
    process.kill(victim.pid, 'SIGKILL');
    const failed = await p.waitFor(isType('launch-failed'), 'the launcher to give up');
    expect(failed).toMatchObject({ rank: 0, maxRestarts: 0 });
    expect((await p.exit).code).toBe(1);
    for (const pid of launchedPids(p)) expect(alive(pid), `pid ${pid}`).toBe(false);
  }, 300_000);
});

describe('shardgrad launch when every worker leaves early', () => {
  it('stops the run with status 1 instead of leaving the coordinator waiting forever', async () => {
    const p = startCli(['launch', '--nproc-per-node', '1', '--steps', '100000', '--batch', '32', '--json', '--out', runsDir()]);
    await p.waitFor(firstRound, 'the first round');
    // SIGTERM makes a worker leave on purpose (exit 143), so it is not restarted; the run cannot go on.
    process.kill(p.events.find(isType('launch-worker'))!.pid, 'SIGTERM');
    const failed = await p.waitFor(isType('launch-failed'), 'the launcher to give up');
    expect(failed.reason).toBe('every worker ended before training finished');
    expect((await p.exit).code).toBe(1);
    for (const pid of launchedPids(p)) expect(alive(pid), `pid ${pid}`).toBe(false);
  }, 300_000);
});

describe('shardgrad launch --join in text mode (the container and pod entrypoint)', () => {
  it("prints each worker's backend, join and end, tagged with its rank", async () => {
    const token = 'launch-join-log-token-0123456789abcdef';
    const port = await freePort();
    const coord = startCli(['coordinator', '--port', String(port), '--steps', '3', '--batch', '32', '--min-workers', '1', '--no-dashboard', '--worker-token', token, '--out', mkdtempSync(join(tmpdir(), 'shardgrad-join-')), '--json']);
    const { runId } = await coord.waitFor(isType('listening'), 'the coordinator to listen');
    const env = { MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), WORLD_SIZE: '2', NODE_RANK: '1', SHARDGRAD_WORKER_TOKEN: token, SHARDGRAD_URL: '' };
    // Rank 1 of a two-worker fleet; the coordinator above starts with one, so rank 1 alone trains.
    const p = startCli(['launch', '--join', '--nproc-per-node', '1'], { env });
    expect((await p.exit).code).toBe(0);
    // Not JSON: the launcher's text lines, which cli-process keeps with stderr.
    const text = p.stderr();
    expect(text).toMatch(/^\[rank 1\] backend: \S+ \(.+\)$/m);
    expect(text).toContain(`[rank 1] joined run ${runId}: mnist-mlp on `);
    expect(text).toMatch(/^\[rank 1\] worker finished: /m);
    expect(text).not.toContain('"type":"shard"');
    await coord.waitFor(isType('summary'), 'the summary');
    coord.child.kill('SIGTERM');
  }, 300_000);
});

describe('shardgrad launch --join with ranks past WORLD_SIZE', () => {
  it('says so, and goes on: extra workers are legal, a miscounted WORLD_SIZE is worth a word', async () => {
    const p = startCli(['launch', '--join', 'http://127.0.0.1:9', '--nproc-per-node', '4', '--node-rank', '2', '--wait-timeout', '1', '--json'], { env: { WORLD_SIZE: '8' } });
    const warning = await p.waitFor(isType('launch-warning'), 'the warning');
    expect(warning.message).toMatch(/gives ranks 8–11, past the world size of 8 \(ranks 0–7\): these workers join as extras/);
    await p.waitFor(isType('launch-waiting'), 'the launcher to wait for the coordinator');
    expect((await p.exit).code).not.toBe(0);
  });
});

describe('shardgrad launch refuses bad input with a usage error (exit 2)', () => {
  const cases: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ['no --nproc-per-node', ['launch'], {}, /--nproc-per-node/],
    ['--nproc-per-node 0', ['launch', '--nproc-per-node', '0'], {}, /positive integer/],
    ['run settings with --join', ['launch', '--join', 'http://127.0.0.1:9', '--nproc-per-node', '1', '--model', 'mnist-mlp'], {}, /--model: with --join the coordinator already decided/],
    ['--join with nowhere to go', ['launch', '--join', '--nproc-per-node', '1'], { SHARDGRAD_URL: '', MASTER_ADDR: '' }, /--join needs a coordinator/],
    ['a malformed NODE_RANK', ['launch', '--join', 'http://127.0.0.1:9', '--nproc-per-node', '1'], { NODE_RANK: 'two' }, /NODE_RANK.*non-negative integer/],
    ['--node-rank without --join', ['launch', '--nproc-per-node', '1', '--node-rank', '1'], {}, /belong with --join/],
    ['--out with --join', ['launch', '--join', 'http://127.0.0.1:9', '--nproc-per-node', '1', '--out', 'elsewhere'], {}, /--out: with --join the coordinator already decided/],
  ];
  it.each(cases)('%s', async (_name, args, env, message) => {
    const p = startCli(args, { env });
    expect((await p.exit).code).toBe(2);
    expect(p.stderr()).toMatch(message);
  });
});
