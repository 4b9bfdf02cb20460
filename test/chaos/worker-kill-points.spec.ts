import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistMlp } from '@shardgrad/models';
import { runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { maxAbsDiff, startTestCluster, type TestCluster } from '../support/cluster.ts';
import { trainSingleProcess } from '../support/reference.ts';

const BATCH = 48;
const STEPS = 9;
const SEED = 4;
type Ev<T extends CoordinatorEvent['type']> = Extract<CoordinatorEvent, { type: T }>;

/**
 * Workers die at each point of a round: before computing (the task arrived), during the upload
 * (the gradient is ready, the socket is gone), and after the upload (the result arrived, then the
 * worker went). Each time the round completes from the others, the step counter moves by exactly
 * one, and the weights equal one process training on whole batches.
 */
describe('workers killed at every point of a round', () => {
  let cluster: TestCluster;
  const victims: Record<string, NodeWorkerHandle> = {};
  const events: CoordinatorEvent[] = [];
  const killAt = { 'before-compute': 2, 'during-upload': 4, 'after-upload': 6 } as const;
  // The round each died in: the first task it got from its kill round on (the plan may give a worker
  // no shard in a given round, as it does when a worker's measured fixed cost exceeds the round's).
  const diedIn: Partial<Record<keyof typeof killAt, number>> = {};
  const dies = (who: keyof typeof killAt, round: number) => {
    if (round < killAt[who] || diedIn[who] !== undefined) return false;
    diedIn[who] = round;
    return true;
  };

  beforeAll(async () => {
    cluster = await startTestCluster({ model: 'mnist-mlp', batch: BATCH, seed: SEED }, [{ nickname: 'survivor', reconnect: false }]);
    const c = cluster.coordinator;
    c.on('event', (e) => events.push(e));
    // A killed worker does not come back: no reconnection.
    victims['before-compute'] = await startNodeWorker({
      url: c.url,
      nickname: 'before-compute',
      reconnect: false,
      stall: (round) => (dies('before-compute', round) ? void victims['before-compute']!.close() : undefined),
    });
    victims['during-upload'] = await startNodeWorker({
      url: c.url,
      nickname: 'during-upload',
      reconnect: false,
      tamper: (grads, task) => {
        if (dies('during-upload', task.round)) victims['during-upload']!.close();
        return grads;
      },
    });
    victims['after-upload'] = await startNodeWorker({ url: c.url, nickname: 'after-upload', reconnect: false });
    c.resultCheck = (member, header) => {
      if (member.nickname === 'after-upload' && dies('after-upload', header.round)) victims['after-upload']!.close();
      return { ok: true };
    };
  });
  afterAll(async () => {
    Object.values(victims).forEach((v) => v.close());
    await cluster?.close();
  });

  it('completes every round from the others, exactly', async () => {
    const c = cluster.coordinator;
    const initial = c.config.state.weights();
    const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 4 });
    expect(summary.steps).toBe(STEPS);
    const left = events.filter((e): e is Ev<'worker-left'> => e.type === 'worker-left').map((e) => c.pool.views().find((v) => v.id === e.workerId)?.nickname);
    expect(new Set(left)).toEqual(new Set(['before-compute', 'during-upload', 'after-upload']));
    const rounds = events.filter((e): e is Ev<'round'> => e.type === 'round');
    expect(rounds.map((r) => r.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(rounds.map((r) => r.samples)).toEqual(Array(STEPS).fill(BATCH));
    expect(c.config.state.optimizer.getState().step).toBe(STEPS);
    // The first two deaths left a shard open: it was reassigned. The third had delivered: nothing to redo.
    expect(rounds[diedIn['before-compute']!]!.reassigned).toBeGreaterThanOrEqual(1);
    expect(rounds[diedIn['during-upload']!]!.reassigned).toBeGreaterThanOrEqual(1);
    const reference = trainSingleProcess(mnistMlp, c.config.dataset, initial, { batch: BATCH, steps: STEPS, seed: SEED });
    expect(maxAbsDiff(c.config.state.weights(), reference)).toBeLessThanOrEqual(1e-4);
  });
});
