import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, runTraining, type CoordinatorEvent, type TrainingPlan } from '@shardgrad/coordinator';
import { startInProcessWorkers } from '@shardgrad/worker-node';

/** mnist-mlp on 10 digits of each class: 100 training rows, which a batch of 32 does not divide. */
async function train(plan: Omit<TrainingPlan, 'minWorkers'>, joinAfterMs = 0) {
  await initNodeBackend('wasm');
  const c = await createCoordinator({ model: 'mnist-mlp', batch: 32, seed: 3, datasetOptions: { trainPerClass: 10 } });
  const rounds: Extract<CoordinatorEvent, { type: 'round' }>[] = [];
  let joinedAt = NaN;
  c.on('event', (e) => {
    if (e.type === 'round') rounds.push(e);
    if (e.type === 'worker-joined') joinedAt = performance.now();
  });
  let fleet: ReturnType<typeof startInProcessWorkers> | undefined;
  const late = setTimeout(() => (fleet = startInProcessWorkers(1, (port) => c.attachPort(port), () => ({ backend: 'wasm', nickname: 'late' }))), joinAfterMs);
  try {
    const summary = await runTraining(c, { ...plan, minWorkers: 1 });
    return { summary, rounds, sinceJoin: (performance.now() - joinedAt) / 1000 };
  } finally {
    clearTimeout(late);
    c.broadcastStop('test over');
    await fleet?.stop();
    await c.close();
  }
}

describe('what a run summary counts', () => {
  it('times training from the first round, not from the wait for the first worker', async () => {
    const { summary, sinceJoin } = await train({ epochs: 1, maxSteps: 3 }, 1500);
    expect(summary.steps).toBe(3);
    expect(summary.seconds).toBeLessThanOrEqual(sinceJoin);
    expect(summary.samplesPerSecond).toBeCloseTo(summary.samples / summary.seconds, 6);
  }, 120_000);

  it('reports the epochs trained, and with dropLast skips each epoch\'s short last batch', async () => {
    const all = await train({ epochs: 2 });
    expect(all.rounds.map((r) => r.samples)).toEqual([32, 32, 32, 4, 32, 32, 32, 4]);
    expect(all.summary.epochs).toBe(2);
    const full = await train({ epochs: 2, dropLast: true });
    expect(full.rounds.map((r) => r.samples)).toEqual([32, 32, 32, 32, 32, 32]);
    expect(full.summary.epochs).toBe(1.96);
    const partial = await train({ epochs: 5, maxSteps: 2 });
    expect(partial.summary.epochs).toBe(0.64);
  }, 120_000);
});
