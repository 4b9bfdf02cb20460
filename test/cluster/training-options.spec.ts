import { describe, expect, it } from 'vitest';
import { runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { splitValidation, takeRows } from '@shardgrad/data';
import { evaluate, learningRateAt, parseLrSchedule } from '@shardgrad/trainer';
import { startTestCluster } from '../support/cluster.ts';

describe('training options on the cluster', () => {
  it('early stopping stops when the validation loss stops improving and ends with the best weights; validation rows never reach a worker', async () => {
    // 300 digits and a high learning rate: the MLP overfits within a few epochs, so the validation loss turns up.
    const cluster = await startTestCluster(
      { model: 'mnist-mlp', batch: 30, seed: 5, learningRate: 0.01, datasetOptions: { trainPerClass: 30 } },
      [{ nickname: 'w1' }, { nickname: 'w2' }],
    );
    try {
      const c = cluster.coordinator;
      const sent = new Set<number>();
      const runRound = c.runRound.bind(c);
      c.runRound = (round, indices, unit) => {
        indices.forEach((i) => sent.add(i));
        return runRound(round, indices, unit);
      };
      const events: CoordinatorEvent[] = [];
      c.on('event', (e) => events.push(e));
      const MAX_EPOCHS = 60;
      const summary = await runTraining(c, {
        epochs: MAX_EPOCHS,
        minWorkers: 2,
        options: { validationSplit: 0.3, earlyStoppingPatience: 3, restoreBest: true },
      });

      const held = splitValidation(300, 0.3, 5).validation;
      expect(held.length).toBe(90);
      expect([...held].some((r) => sent.has(r))).toBe(false);
      expect(sent.size).toBe(210);

      const validation = events.filter((e) => e.type === 'evaluation' && e.split === 'validation') as Extract<CoordinatorEvent, { type: 'evaluation' }>[];
      const losses = validation.map((e) => e.loss);
      const best = Math.min(...losses);
      const bestAt = losses.indexOf(best);
      expect(summary.stoppedEarly).toBe(true);
      // It stopped exactly `patience` evaluations after the best one, long before the epoch limit.
      expect(losses.length).toBe(bestAt + 1 + 3);
      expect(losses.length).toBeLessThan(MAX_EPOCHS);
      expect(losses.at(-1)!).toBeGreaterThan(best);
      expect(events.some((e) => e.type === 'early-stopping')).toBe(true);
      expect(summary.bestStep).toBe(validation[bestAt]!.step);
      expect(summary.bestValidationLoss).toBe(best);
      expect(summary.restoredBest).toBe(true);
      // The weights it ended with are the best ones: re-evaluating them gives the best loss again.
      const { state, dataset } = c.config;
      const again = evaluate(state.model, state.def, dataset, takeRows(dataset, dataset.train, held));
      expect(again.loss).toBeCloseTo(best, 5);
      expect(summary.validationLoss).toBeCloseTo(best, 5);
    } finally {
      await cluster.close();
    }
  });

  it('applies the learning-rate schedule at the coordinator before every step', async () => {
    const cluster = await startTestCluster({ model: 'mnist-mlp', batch: 64, seed: 2, learningRate: 0.002 }, [{ nickname: 'w1' }, { nickname: 'w2' }]);
    try {
      const c = cluster.coordinator;
      const seen: number[] = [];
      const runRound = c.runRound.bind(c);
      c.runRound = (round, indices, unit) => {
        seen.push((c.config.state.optimizer as unknown as { learningRate: number }).learningRate);
        return runRound(round, indices, unit);
      };
      const STEPS = 12;
      const schedule = parseLrSchedule('cosine');
      const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 2, options: { lrSchedule: schedule, warmupSteps: 4 } });
      expect(summary.lrSchedule).toBe('cosine');
      const want = seen.map((_, step) => learningRateAt(0.002, schedule, 4, { step, epoch: 0, totalSteps: STEPS }));
      seen.forEach((lr, i) => expect(lr).toBeCloseTo(want[i]!, 12));
      expect(seen[0]).toBeCloseTo(0.0005, 12);
      expect(Math.max(...seen)).toBeCloseTo(0.002, 12);
      expect(seen.at(-1)!).toBeLessThan(0.0001);
    } finally {
      await cluster.close();
    }
  });
});
