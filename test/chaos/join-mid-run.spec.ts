import { afterAll, describe, expect, it } from 'vitest';
import { mnistMlp } from '@shardgrad/models';
import { runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import type { Task } from '@shardgrad/protocol';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { maxAbsDiff, startTestCluster, type TestCluster } from '../support/cluster.ts';
import { trainSingleProcess } from '../support/reference.ts';

const BATCH = 36;
const SEED = 6;
type Ev<T extends CoordinatorEvent['type']> = Extract<CoordinatorEvent, { type: T }>;

describe('workers joining mid-run', () => {
  let cluster: TestCluster;
  const late: NodeWorkerHandle[] = [];
  const asked = { late: false, third: false };
  afterAll(async () => {
    late.forEach((w) => w.close());
    await cluster?.close();
  });

  it('a newcomer gets the current weights with its first task, and the run stays exact', async () => {
    cluster = await startTestCluster({ model: 'mnist-mlp', batch: BATCH, seed: SEED }, [{ nickname: 'first', reconnect: false }]);
    const c = cluster.coordinator;
    const events: CoordinatorEvent[] = [];
    c.on('event', (e) => events.push(e));
    const firstTasks: Task[] = [];
    // Joins once round 3 is done, from inside the run.
    c.on('event', (e) => {
      if (e.type === 'round' && e.step === 3 && !asked.late) {
        asked.late = true;
        void startNodeWorker({
          url: c.url,
          nickname: 'late',
          reconnect: false,
          tamper: (g, t) => {
            firstTasks.push(t);
            return g;
          },
        }).then((w) => late.push(w));
      }
    });
    const initial = c.config.state.weights();
    const steps = 10;
    const summary = await runTraining(c, { epochs: 1, maxSteps: steps, minWorkers: 1 });
    expect(summary.steps).toBe(steps);
    const joined = events.find((e): e is Ev<'worker-joined'> => e.type === 'worker-joined' && e.worker.nickname === 'late');
    expect(joined).toBeDefined();
    expect(firstTasks.length).toBeGreaterThan(0);
    // Its first task carried the weights of that round's version (it had none before).
    expect(firstTasks[0]!.weights).toBeDefined();
    expect(firstTasks[0]!.version).toBeGreaterThanOrEqual(3);
    const rounds = events.filter((e): e is Ev<'round'> => e.type === 'round');
    expect(rounds.map((r) => r.samples)).toEqual(Array(steps).fill(BATCH));
    expect(Math.max(...rounds.map((r) => r.workers))).toBe(2);
    const reference = trainSingleProcess(mnistMlp, c.config.dataset, initial, { batch: BATCH, steps, seed: SEED });
    expect(maxAbsDiff(c.config.state.weights(), reference)).toBeLessThanOrEqual(1e-4);
  });

  it('a robust rule refuses to start rounds without enough workers, says why, and goes on when they come', async () => {
    const c = cluster.coordinator;
    c.config.aggregation = { name: 'median', options: { f: 1 } };
    const events: CoordinatorEvent[] = [];
    const onEvent = (e: CoordinatorEvent) => {
      events.push(e);
      // Two workers cannot outvote one liar: a third is needed. It comes when asked for.
      if (e.type === 'round-refused' && !asked.third) {
        asked.third = true;
        void startNodeWorker({ url: c.url, nickname: 'third', reconnect: false }).then((w) => late.push(w));
      }
    };
    c.on('event', onEvent);
    try {
      const summary = await runTraining(c, { epochs: 1, maxSteps: 3, minWorkers: 1 });
      expect(summary.steps).toBe(3);
      const refused = events.find((e): e is Ev<'round-refused'> => e.type === 'round-refused')!;
      expect(refused).toMatchObject({ aggregator: 'median', results: 2 });
      expect(refused.reason).toMatch(/n ≥ 2f \+ 1/);
      const rounds = events.filter((e): e is Ev<'round'> => e.type === 'round');
      expect(rounds.every((r) => r.workers === 3)).toBe(true);
    } finally {
      c.off('event', onEvent);
      c.config.aggregation = undefined;
    }
  });
});
