import { dirname, relative } from 'node:path';
import { attachAdaptiveBatch, createCoordinator, RunRecorder, runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import type { OptimizerName } from '@shardgrad/models';
import { evaluate, LrRuleController } from '@shardgrad/trainer';
import type { SweepPoint, SweepSettings } from './sweep-config.ts';
import { startFleet } from './fleet.ts';
import type { PointResult } from './point-result.ts';
import { PointWatch } from './point-watch.ts';

/** The noise history kept in sweep.jsonl; the run directory keeps every round. */
const NOISE_HISTORY_POINTS = 100;

export interface PointRun {
  settings: SweepSettings;
  point: SweepPoint;
  /** Parent of the point's run directory. */
  runsRoot: string;
  /** The coordinator's events, tagged by the caller (live --json output). */
  onEvent?: (e: CoordinatorEvent) => void;
}

/**
 * One point of a sweep: a coordinator and its fleet, a real training run through the cluster
 * under the learning-rate rule, stopped at the target accuracy (or maxSteps), recorded in its own
 * run directory, then measured: final test and train accuracy, the gap, the noise scale.
 */
export async function runPoint({ settings: s, point: p, runsRoot, onEvent }: PointRun): Promise<PointResult> {
  const c = await createCoordinator({
    model: s.model,
    dataset: s.dataset,
    batch: p.batch,
    largestBatch: s.adaptiveBatch?.maxBatch,
    seed: p.seed,
    optimizer: s.optimizer as OptimizerName | undefined,
    learningRate: s.lr,
    modelConfig: s.modelConfig,
    datasetOptions: s.datasetOptions,
  });
  const { def, dataset } = c.config;
  const baseLr = s.lr ?? def.optimizer.learningRate;
  const baseBatch = s.baseBatch ?? def.defaults.batch;
  const rule = new LrRuleController({ rule: s.lrRule, baseLr, baseBatch, warmupSteps: s.warmupSteps, schedule: s.lrSchedule, totalSteps: s.maxSteps });
  const forward = (e: CoordinatorEvent) => onEvent?.(e);
  c.on('event', forward);
  const recorder = new RunRecorder(c, {
    root: runsRoot,
    plan: {
      sweepPoint: p.id,
      steps: s.maxSteps,
      workers: p.workers,
      fleet: s.fleet === 'simulated' ? `simulated: ${p.workers} virtual workers inside one process` : `${p.workers} worker processes`,
      lrRule: s.lrRule,
      baseLr,
      baseBatch,
      warmupSteps: s.warmupSteps,
      targetAccuracy: s.targetAccuracy,
    },
  });
  const watch = new PointWatch(c, {
    targetAccuracy: s.targetAccuracy,
    stopAtTarget: s.stopAtTarget,
    evalEvery: s.evalEvery,
    rule,
    log: (step, values, tag) => {
      try {
        recorder.run.logMetrics(step, values, tag);
      } catch {
        // The recorder reports its own write failures; a lost row must not stop the point.
      }
    },
  });
  const detachAdaptive = s.adaptiveBatch ? attachAdaptiveBatch(c, s.adaptiveBatch) : undefined;
  const fleet = await startFleet(s.fleet, p.workers, c.url, s.backend);
  try {
    await Promise.race([c.waitForWorkers(p.workers), fleet.failed]);
    watch.start();
    const largest = s.adaptiveBatch?.maxBatch ?? p.batch;
    const epochs = Math.ceil((s.maxSteps * largest) / dataset.train.n) + 1;
    const summary = await Promise.race([runTraining(c, { epochs, maxSteps: s.maxSteps, minWorkers: p.workers }), fleet.failed]);
    const seconds = watch.seconds;
    watch.stop();
    const train = evaluate(c.config.state.model, def, dataset, dataset.train);
    const trainAccuracy = train.metrics.accuracy ?? NaN;
    const recorded = { ...summary, trainAccuracy, trainLossFinal: train.loss, trainingSeconds: seconds };
    await recorder.finish(recorded);
    const { hit, lr, noiseScale, window } = watch.result;
    return {
      status: 'finished',
      id: p.id,
      batch: p.batch,
      workers: p.workers,
      seed: p.seed,
      fleet: s.fleet,
      lrRule: s.lrRule,
      baseLr,
      baseBatch,
      lr,
      targetAccuracy: s.targetAccuracy,
      reached: hit !== undefined,
      stepsToTarget: hit?.step ?? null,
      timeToTarget: hit?.seconds ?? null,
      scaleInvariantSteps: hit?.progress ?? null,
      steps: summary.steps,
      samples: summary.samples,
      seconds,
      samplesPerSecond: summary.samples / Math.max(1e-9, seconds),
      finalTestAccuracy: summary.testAccuracy,
      finalTrainAccuracy: trainAccuracy,
      generalizationGap: trainAccuracy - summary.testAccuracy,
      testLoss: summary.testLoss,
      trainLoss: train.loss,
      noiseScale,
      noiseScaleAtTarget: window && window.gradSq > 0 ? window.trace / window.gradSq : null,
      noiseWindow: window,
      finalBatch: c.config.batch,
      noiseHistory: thin(watch.noise, NOISE_HISTORY_POINTS),
      accuracyHistory: watch.accuracy,
      // Relative to the sweep directory, so a sweep directory can be moved or committed whole.
      runDir: relative(dirname(runsRoot), recorder.path),
      finishedAt: new Date().toISOString(),
    };
  } catch (e) {
    recorder.close();
    throw e;
  } finally {
    watch.stop();
    detachAdaptive?.();
    c.off('event', forward);
    c.broadcastStop('sweep point finished');
    await fleet.stop();
    await c.close();
  }
}

/** At most about `n` evenly spaced entries, always keeping the last. */
export function thin<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const every = Math.ceil(xs.length / n);
  const out = xs.filter((_, i) => i % every === 0);
  if (out[out.length - 1] !== xs[xs.length - 1]) out.push(xs[xs.length - 1]!);
  return out;
}
