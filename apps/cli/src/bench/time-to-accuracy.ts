import * as tf from '@tensorflow/tfjs';
import { CostMeter, runTraining } from '@shardgrad/coordinator';
import { epochOrder } from '@shardgrad/data';
import { loadDataset } from '@shardgrad/data/node';
import { getModel, runModelConfig, sparseCategoricalCrossentropy } from '@shardgrad/models';
import { evaluate } from '@shardgrad/trainer';
import { withLocalFleet } from './local-fleet.ts';
import type { LocalWorkerKind } from '../local-workers.ts';

export interface TimeToAccuracyOptions {
  model: string;
  dataset: string;
  batch: number;
  learningRate: number;
  target: number;
  /** Evaluate on the whole test split every this many steps; the clock stops while it runs. */
  evaluateEvery: number;
  maxEpochs: number;
  workers: number;
  seed: number;
}

export interface TimeToAccuracy {
  /** Training seconds (evaluations excluded) until the test accuracy first reached the target; null if never. */
  seconds: number | null;
  steps: number | null;
  bestAccuracy: number;
  /** (steps, training seconds, test accuracy) at each evaluation. */
  curve: [number, number, number][];
}

/** A stopwatch that runs while training and stands still while evaluating. */
class TrainingClock {
  private startedAt = 0;
  private readonly evaluating = new CostMeter();
  start(at = performance.now()) {
    this.startedAt = at;
  }
  /** Runs `f` off the clock. */
  offClock<T>(f: () => T): T {
    return this.evaluating.time(f);
  }
  seconds() {
    return (performance.now() - this.startedAt - this.evaluating.ms) / 1000;
  }
}

/**
 * The baseline: tfjs's own `model.fit` in one process, same model, data, batch, optimizer and
 * backend, the test accuracy checked at the same cadence as the cluster's. It visits the rows in the
 * cluster's own seeded order, one `fit` epoch at a time without fit's shuffle: with fit's unseeded
 * shuffle the steps to 87% ranged from 1,240 to 1,800 between runs, so the ratio measured luck as
 * much as speed. Ordering an epoch's rows is off the clock (fit's shuffle was on it, and cheap).
 */
export async function fitTimeToAccuracy(o: TimeToAccuracyOptions): Promise<TimeToAccuracy> {
  const def = getModel(o.model);
  const ds = await loadDataset(o.dataset);
  // The model as the cluster's coordinator builds it (the model's default options included).
  const model = def.build({ inputShape: ds.inputShape, numClasses: ds.numClasses, seed: o.seed, config: runModelConfig(def, {}, ds) });
  // tfjs checks targets against the output's shape unless it knows the loss is sparse, so the
  // registry's sparse cross-entropy is named by its tfjs name here (the same formula).
  const loss = def.loss === sparseCategoricalCrossentropy ? 'sparseCategoricalCrossentropy' : def.loss;
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss });
  const x = tf.tensor(ds.train.x, [ds.train.n, ...ds.inputShape]);
  const y = tf.tensor(ds.train.y, [ds.train.n, ds.labelSize]);
  const clock = new TrainingClock();
  const result: TimeToAccuracy = { seconds: null, steps: null, bestAccuracy: 0, curve: [] };
  let steps = 0;
  try {
    for (let epoch = 0; epoch < o.maxEpochs && result.seconds === null; epoch++) {
      const gather = () => tf.tidy(() => {
        const order = tf.tensor1d(Int32Array.from(epochOrder(ds.train.n, o.seed, epoch)), 'int32');
        return [tf.gather(x, order), tf.gather(y, order)];
      });
      // Before the clock starts for the first epoch; off the running clock for the others.
      const [xe, ye] = epoch === 0 ? gather() : clock.offClock(gather);
      if (epoch === 0) clock.start();
      try {
        await model.fit(xe!, ye!, {
          batchSize: o.batch,
          epochs: 1,
          shuffle: false,
          verbose: 0,
          callbacks: {
            onBatchEnd: async () => {
              steps++;
              if (steps % o.evaluateEvery !== 0) return;
              const accuracy = clock.offClock(() => evaluate(model, def, ds, ds.test).metrics.accuracy ?? NaN);
              if (record(result, steps, clock.seconds(), accuracy, o.target)) model.stopTraining = true;
            },
          },
        });
      } finally {
        tf.dispose([xe!, ye!]);
      }
    }
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
  return result;
}

/** The cluster: a coordinator and `workers` local workers (processes or threads), evaluated every few steps. */
export async function clusterTimeToAccuracy(o: TimeToAccuracyOptions, as: LocalWorkerKind = 'processes'): Promise<TimeToAccuracy> {
  const coordinator = { model: o.model, dataset: o.dataset, batch: o.batch, seed: o.seed, optimizer: 'adam' as const, learningRate: o.learningRate };
  return withLocalFleet(coordinator, { workers: o.workers, ownSession: true, as }, async (c) => {
    const def = c.config.state.def;
    const ds = c.config.dataset;
    const clock = new TrainingClock();
    const result: TimeToAccuracy = { seconds: null, steps: null, bestAccuracy: 0, curve: [] };
    c.on('event', (e) => {
      if (e.type !== 'round') return;
      // The clock starts when the first round began: workers joining and calibrating are set-up.
      if (e.step === 1) clock.start(performance.now() - e.roundMs);
      if (e.step % o.evaluateEvery !== 0) return;
      const accuracy = clock.offClock(() => evaluate(c.config.state.model, def, ds, ds.test).metrics.accuracy ?? NaN);
      if (record(result, e.step, clock.seconds(), accuracy, o.target)) c.control.stop();
    });
    await runTraining(c, { epochs: o.maxEpochs, minWorkers: o.workers });
    return result;
  });
}

/** Adds an evaluation; true once the target is reached (the first time fixes the figures). */
function record(r: TimeToAccuracy, steps: number, seconds: number, accuracy: number, target: number): boolean {
  r.curve.push([steps, seconds, accuracy]);
  r.bestAccuracy = Math.max(r.bestAccuracy, accuracy);
  if (accuracy >= target && r.seconds === null) {
    r.seconds = seconds;
    r.steps = steps;
  }
  return r.seconds !== null;
}
