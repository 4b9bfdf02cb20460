import { afterEach, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, runTraining, type Coordinator, type CoordinatorEvent } from '@shardgrad/coordinator';
import { planShares } from '../../apps/coordinator/src/plan-shares.ts';
import { PROBE_EVERY } from '../../apps/coordinator/src/round.ts';
import { mnistMlp } from '@shardgrad/models';
import type { WorkerView } from '@shardgrad/protocol';
import { spawnLocalWorkers, type LocalWorkers } from '../../apps/cli/src/local-workers.ts';
import { maxAbsDiff, startTestCluster, type TestCluster } from '../support/cluster.ts';
import { trainSingleProcess } from '../support/reference.ts';

const SEED = 3;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

type WorkersEvent = Extract<CoordinatorEvent, { type: 'workers' }>;
type RoundEv = Extract<CoordinatorEvent, { type: 'round' }>;

function record(c: Coordinator) {
  const events: CoordinatorEvent[] = [];
  c.on('event', (e) => events.push(e));
  return {
    events,
    rounds: () => events.filter((e): e is RoundEv => e.type === 'round'),
    views: () => events.filter((e): e is WorkersEvent => e.type === 'workers'),
  };
}

const byName = (views: WorkerView[], name: string) => views.find((v) => v.nickname === name)!;

async function expectExact(c: Coordinator, initial: ReturnType<Coordinator['config']['state']['weights']>, batch: number, steps: number) {
  const reference = trainSingleProcess(mnistMlp, c.config.dataset, initial, { batch, steps, seed: SEED });
  expect(maxAbsDiff(reference, initial)).toBeGreaterThan(1e-3);
  expect(maxAbsDiff(c.config.state.weights(), reference)).toBeLessThanOrEqual(1e-4);
}

describe('heterogeneous workers', () => {
  it('a worker slowed 3× gets a share in proportion to its measured speed, and every sample still counts once', async () => {
    // Large shards: a per-call cost (scheduling on a busy machine, op dispatch) must not dwarf the per-sample one.
    const BATCH = 1024;
    const STEPS = 8;
    await initNodeBackend('wasm');
    const c = await createCoordinator({ model: 'mnist-mlp', batch: BATCH, seed: SEED });
    // Real worker processes of the CLI: `shardgrad worker` and `shardgrad worker --slowdown 3`.
    const workers: LocalWorkers = spawnLocalWorkers(2, c.url, { backend: 'wasm', json: true, extraArgs: (i) => (i === 1 ? ['--slowdown', '3'] : []) });
    cleanups.push(async () => {
      await workers.stop();
      await c.close();
    });
    const rec = record(c);
    const initial = c.config.state.weights();
    const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 2 });

    expect(summary.steps).toBe(STEPS);
    expect(rec.rounds().every((r) => r.samples === BATCH)).toBe(true);
    const views = rec.views();
    expect(views).toHaveLength(STEPS);
    for (const v of views) expect(v.workers.reduce((s, w) => s + w.share, 0)).toBeCloseTo(1, 9);
    // Each round plans by the estimates known when it began (those of the previous view): shares by
    // speed, less for a fixed cost per call; unless a worker was still busy then (it gets less by design).
    for (let k = 1; k < views.length; k++) {
      const before = views[k - 1]!.workers;
      if (before.some((w) => w.status === 'busy')) continue;
      const plan = planShares(BATCH, before.map((w) => ({ speed: w.samplesPerSecond, latencyMs: w.fixedMs ?? 0, busy: false })), { probe: k % PROBE_EVERY === 0 });
      const planned = plan[before.findIndex((w) => w.nickname === 'local-2')]! / BATCH;
      expect(Math.abs(byName(views[k]!.workers, 'local-2').share - planned)).toBeLessThan(0.02);
    }
    // The estimates see the slowdown, and the slowed worker gets clearly less than half the batch but
    // still takes part. How much less depends on the machine: sleeping while the other computes, and a
    // fixed cost per call that the slowdown stretches too, make it look more than 3× slower when the
    // cores are contended (CI runs other tests beside this one), so its share is bounded by the plan
    // checked above, not by a fixed quarter.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const trace = JSON.stringify(views.map((v) => v.workers.map((w) => [w.nickname, +w.share.toFixed(3), Math.round(w.samplesPerSecond), Math.round(w.fixedMs ?? 0), w.status])));
    // Judged as the plan judges it: the modelled time of a half-batch shard, per-sample speed plus
    // fixed cost per call. Either part alone is ill-determined once the slowed worker gets small
    // shards: one CI run measured it at 12,960 samples/s with 62 ms per call, 0.35× the fast worker
    // on half a batch, 0.91× by the speed alone.
    const halfBatchRate = (w: WorkerView) => BATCH / 2 / (BATCH / 2 / w.samplesPerSecond + (w.fixedMs ?? 0) / 1000);
    expect(median(views.map((v) => halfBatchRate(byName(v.workers, 'local-2')) / halfBatchRate(byName(v.workers, 'local-1')))), trace).toBeLessThan(0.5);
    expect(median(views.map((v) => byName(v.workers, 'local-2').share)), trace).toBeLessThan(0.35);
    // Both take part. The last round's plan alone may leave one out: a worker still busy with a late
    // copy when a round starts gets no share of it (on CI, with other tests on the cores, that happens).
    for (const name of ['local-1', 'local-2']) expect(Math.max(...views.map((v) => byName(v.workers, name).share)), trace).toBeGreaterThan(0);

    const status = (await (await fetch(`${c.url}/api/status`)).json()) as { workers: WorkerView[] };
    const fast = byName(status.workers, 'local-1');
    const slow = byName(status.workers, 'local-2');
    for (const w of [fast, slow]) expect(w).toMatchObject({ kind: 'node', backend: 'wasm', errors: 0, threads: 1 });
    // Rounds count accepted shards. Under a loaded CI the slowed worker's shards can all run past their
    // deadline and be finished first by copies on the idle fast worker (as designed), leaving it 0; every
    // round's shards are still counted to someone.
    expect(fast.rounds).toBeGreaterThan(0);
    expect(fast.rounds + slow.rounds).toBeGreaterThanOrEqual(STEPS);
    expect(slow.samplesPerSecond).toBeLessThan(fast.samplesPerSecond);
    await expectExact(c, initial, BATCH, STEPS);
  });

  it('does not wait for a stalled worker: its shard is redone by the idle one, its late result is refused, its share shrinks', async () => {
    const BATCH = 64;
    const STEPS = 10;
    const STALL_FROM = 4;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // The round frozen stalls in: its first shard from STALL_FROM on. Not always STALL_FROM itself:
    // on a loaded machine its measured latency can leave it out of a round (plan-shares.ts).
    let stallRound: number | undefined;
    const cluster: TestCluster = await startTestCluster({ model: 'mnist-mlp', batch: BATCH, seed: SEED }, [
      { nickname: 'steady' },
      // Frozen on one shard until the test has seen that round finish without it.
      {
        nickname: 'frozen',
        stall: (round) => {
          if (round < STALL_FROM || (stallRound !== undefined && round !== stallRound)) return undefined;
          stallRound = round;
          return released;
        },
      },
    ]);
    cleanups.push(() => cluster.close());
    const c = cluster.coordinator;
    const rec = record(c);
    c.on('event', (e) => {
      if (e.type === 'round' && e.round === stallRound) release();
    });
    const frozenId = () => c.pool.list().find((m) => m.nickname === 'frozen')!.id;
    const refusedLate = new Promise<CoordinatorEvent>((resolve) =>
      c.on('event', (e) => {
        if (e.type === 'rejected' && e.workerId === frozenId()) resolve(e);
      }),
    );
    const initial = c.config.state.weights();
    const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 2 });

    expect(summary.steps).toBe(STEPS);
    expect(stallRound).toBeDefined();
    expect(stallRound!).toBeLessThanOrEqual(STEPS - 3);
    const stalled = rec.rounds().find((r) => r.round === stallRound)!;
    expect(stalled.samples).toBe(BATCH);
    expect(stalled.reassigned).toBeGreaterThanOrEqual(1);
    expect(await refusedLate).toMatchObject({ reason: expect.stringMatching(/^(stale-round|duplicate)$/) });

    const share = (step: number) => byName(rec.views().find((v) => v.step === step)!.workers, 'frozen').share;
    expect(share(stallRound! + 2)).toBeLessThan(share(stallRound! + 1));
    const frozen = byName(c.pool.views(), 'frozen');
    expect(frozen.errors).toBe(0); // being late is not a fault
    await expectExact(c, initial, BATCH, STEPS);
  });

  it('a --threads 2 worker trains exactly like one process', async () => {
    const BATCH = 37;
    const STEPS = 4;
    const cluster = await startTestCluster({ model: 'mnist-mlp', batch: BATCH, seed: SEED }, [{ nickname: 'pool', threads: 2 }]);
    cleanups.push(() => cluster.close());
    const c = cluster.coordinator;
    const initial = c.config.state.weights();
    const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 1 });
    expect(summary.steps).toBe(STEPS);
    expect(byName(c.pool.views(), 'pool')).toMatchObject({ kind: 'node', backend: 'wasm', threads: 2, rounds: STEPS });
    await expectExact(c, initial, BATCH, STEPS);
  });
});
