import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistMlp } from '@shardgrad/models';
import { runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { maxAbsDiff, startTestCluster, type TestCluster } from '../support/cluster.ts';
import { trainSingleProcess } from '../support/reference.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const BATCH = 40;
const STEPS = 10;
const SEED = 11;
type Ev<T extends CoordinatorEvent['type']> = Extract<CoordinatorEvent, { type: T }>;

/**
 * The network under a worker drops at three points of a round (while it computes, while its
 * result is on the wire, after the result arrived but before the ack), then in a storm of cuts. The
 * worker comes back as itself, sends what was not acknowledged again, and nothing counts twice.
 */
describe('network drops and reconnects', () => {
  let cluster: TestCluster;
  let proxy: TcpProxy;
  let flaky: NodeWorkerHandle;
  const dropFlaky = () => {
    cluster.coordinator.control.pause();
    proxy.cut();
  };
  const events: CoordinatorEvent[] = [];
  const workerLog: Record<string, unknown>[] = [];
  /** Rounds at which to cut, and where in the round. */
  const cutWhileComputing = new Set([2, 7]);
  const cutAfterArrival = new Set([4, 8]);

  beforeAll(async () => {
    cluster = await startTestCluster({ model: 'mnist-mlp', batch: BATCH, seed: SEED }, [{ nickname: 'steady', reconnect: false }]);
    const c = cluster.coordinator;
    c.on('event', (e) => events.push(e));
    proxy = await startTcpProxy(c.url);
    flaky = await startNodeWorker({
      url: proxy.url,
      nickname: 'flaky',
      log: (e) => workerLog.push(e),
      stall: (round) => {
        if (!cutWhileComputing.has(round)) return undefined;
        cutWhileComputing.delete(round);
        dropFlaky();
        return undefined;
      },
    });
    // After the result has reached the coordinator, before the ack leaves: the ack is lost.
    c.resultCheck = (member, header) => {
      if (member.nickname === 'flaky' && cutAfterArrival.has(header.round)) {
        cutAfterArrival.delete(header.round);
        dropFlaky();
      }
      return { ok: true };
    };
    // Each cut holds the run at the next round boundary until the worker is back, so every drop is
    // followed by a comeback within the run (and not after it).
    c.on('event', (e) => {
      if (e.type === 'worker-joined' && e.worker.nickname === 'flaky' && c.control.paused) c.control.resume();
    });
  });
  afterAll(async () => {
    flaky?.close();
    await proxy?.close();
    await cluster?.close();
  });

  it('resumes as the same worker, refuses the resent copies as duplicates, and the result is exact', async () => {
    const c = cluster.coordinator;
    const initial = c.config.state.weights();
    const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 2 });
    expect(summary.steps).toBe(STEPS);
    const rounds = events.filter((e): e is Ev<'round'> => e.type === 'round');
    // The step counter moved by exactly one per round, and every round used the whole batch once.
    expect(rounds.map((r) => r.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(rounds.map((r) => r.samples)).toEqual(Array(STEPS).fill(BATCH));
    const joins = events.filter((e): e is Ev<'worker-joined'> => e.type === 'worker-joined' && e.worker.nickname === 'flaky');
    expect(proxy.connections).toBeGreaterThanOrEqual(4);
    // Every comeback was the same worker id: a resume, not a new join.
    expect(new Set(joins.map((j) => j.worker.id)).size).toBe(1);
    expect(joins.length).toBeGreaterThanOrEqual(3);
    expect(workerLog.filter((e) => e.type === 'resumed').length).toBeGreaterThanOrEqual(3);
    // No refusal was a fault (no strike): only harmless duplicates or stale copies.
    const refused = events.filter((e): e is Ev<'rejected'> => e.type === 'rejected');
    expect(refused.every((e) => e.reason === 'duplicate' || e.reason === 'stale-round'), JSON.stringify(refused)).toBe(true);
    // The results whose ack was lost were sent again, and refused as copies rather than counted twice.
    const resent = workerLog.filter((e) => e.type === 'resumed').reduce((s, e) => s + Number(e.resent), 0);
    expect(resent).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(c.pool.list().find((m) => m.nickname === 'flaky')!.errors).toBe(0);
    const reference = trainSingleProcess(mnistMlp, c.config.dataset, initial, { batch: BATCH, steps: STEPS, seed: SEED });
    expect(maxAbsDiff(c.config.state.weights(), reference)).toBeLessThanOrEqual(1e-4);
  });

  it('survives a storm of cuts: each batch counted once, one step per round, still one worker', async () => {
    const c = cluster.coordinator;
    const before = events.length;
    const initial = c.config.state.weights();
    const initialOpt = c.config.state.optimizer.getState();
    let cuts = 0;
    const storm = (e: CoordinatorEvent) => {
      // Cut on every round's end and on every join: the reconnect itself gets cut too.
      if ((e.type === 'round' || (e.type === 'worker-joined' && e.worker.nickname === 'flaky')) && cuts < 12) {
        cuts++;
        // A cut right as it rejoins leaves the run unpaused (resume already ran): it goes on without it.
        setImmediate(() => (e.type === 'round' ? dropFlaky() : proxy.cut()));
      }
    };
    c.on('event', storm);
    const steps = 8;
    // Same data order as a fresh run from these weights: a new run of the same seed starts at epoch 0.
    const summary = await runTraining(c, { epochs: 1, maxSteps: steps, minWorkers: 1 });
    c.off('event', storm);
    c.control.resume();
    expect(summary.steps).toBe(steps);
    const rounds = events.slice(before).filter((e): e is Ev<'round'> => e.type === 'round');
    expect(rounds.map((r) => r.samples)).toEqual(Array(steps).fill(BATCH));
    expect(cuts).toBeGreaterThanOrEqual(8);
    const flakyIds = new Set(events.filter((e): e is Ev<'worker-joined'> => e.type === 'worker-joined' && e.worker.nickname === 'flaky').map((e) => e.worker.id));
    expect(flakyIds.size).toBe(1);
    expect(initialOpt.step).toBe(STEPS);
    expect(c.config.state.optimizer.getState().step).toBe(STEPS + steps);
    expect(maxAbsDiff(c.config.state.weights(), initial)).toBeGreaterThan(0);
  });
});
