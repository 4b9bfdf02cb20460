import { rmSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { attachAdaptiveBatch, createCoordinator, RunRecorder, runTraining, type CoordinatorEvent, type TrainingSummary } from '@shardgrad/coordinator';
import type { OptimizerName } from '@shardgrad/models';
import { evaluate, LrRuleController } from '@shardgrad/trainer';
import type { SweepPoint, SweepSettings } from './sweep-config.ts';
import { startFleet } from './fleet.ts';
import type { PointResult } from './point-result.ts';
import { PointWatch } from './point-watch.ts';

/** The noise history kept in sweep.jsonl; the run directory keeps every round. */
const NOISE_HISTORY_POINTS = 100;
/** After an interruption, how long the training loop gets to reach its round boundary before the cluster is closed under it. */
const STOP_GRACE_MS = 10_000;

/**
 * A sweep stopped by a signal (Ctrl-C, SIGTERM). `point` is the point that was running, if any:
 * it is not recorded, its partial run directory is removed, and rerunning the command runs it again.
 */
export class SweepInterrupted extends Error {
  override name = 'SweepInterrupted';
  constructor(
    readonly signal: string,
    readonly point?: string,
  ) {
    super(`interrupted (${signal})${point ? ` during ${point}` : ''}`);
  }
}

/** The signal name an AbortController was aborted with (the sweep command aborts with 'SIGINT' or 'SIGTERM'). */
export function abortSignalName(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'aborted';
}

export interface PointRun {
  settings: SweepSettings;
  point: SweepPoint;
  /** Parent of the point's run directory. */
  runsRoot: string;
  /** The coordinator's events, tagged by the caller (live --json output). */
  onEvent?: (e: CoordinatorEvent) => void;
  /** Aborted by a signal: the point stops at the next round boundary and throws SweepInterrupted. */
  signal?: AbortSignal;
}

/**
 * One point of a sweep: a coordinator and its fleet, a real training run through the cluster
 * under the learning-rate rule, stopped at the target accuracy (or maxSteps), recorded in its own
 * run directory, then measured: final test and train accuracy, the gap, the noise scale.
 */
export async function runPoint({ settings: s, point: p, runsRoot, onEvent, signal }: PointRun): Promise<PointResult> {
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
  const rule = new LrRuleController({ rule: s.lrRule, baseLr, baseBatch, warmupSteps: s.warmupSteps, schedule: s.lrSchedule, totalSteps: s.maxSteps, trainRows: dataset.train.n });
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
    maxSteps: s.maxSteps,
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
  const interrupted = interruption(signal, p.id);
  // Ends the training loop at its next round boundary, and any wait for workers.
  const stopTraining = () => c.control.stop();
  signal?.addEventListener('abort', stopTraining, { once: true });
  let training: Promise<TrainingSummary> | undefined;
  try {
    await Promise.race([c.waitForWorkers(p.workers), fleet.failed, interrupted.promise]);
    watch.start();
    const largest = s.adaptiveBatch?.maxBatch ?? p.batch;
    // Every step a full batch (dropLast): steps to target compare across batch sizes only then.
    const epochs = Math.ceil(s.maxSteps / Math.max(1, Math.floor(dataset.train.n / largest))) + 1;
    training = runTraining(c, { epochs, maxSteps: s.maxSteps, minWorkers: p.workers, dropLast: true });
    training.catch(() => undefined);
    const trained = await Promise.race([training, fleet.failed]);
    interrupted.throwIfAborted();
    // The watch's clock stopped with the training loop: every evaluation excluded, runTraining's final one too.
    const seconds = watch.seconds;
    watch.stop();
    const summary = { ...trained, seconds, samplesPerSecond: trained.samples / Math.max(1e-9, seconds) };
    const train = evaluate(c.config.state.model, def, dataset, dataset.train);
    const trainAccuracy = train.metrics.accuracy ?? NaN;
    // runTraining's own clock includes the sweep's test evaluations; it is kept, under a name that says so.
    const recorded = { ...summary, secondsWithEvaluations: trained.seconds, trainAccuracy, trainLossFinal: train.loss };
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
      samplesPerSecond: summary.samplesPerSecond,
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
    if (!signal?.aborted) throw e;
    // An interrupted point is run again from scratch: its partial run directory is of no use.
    await settled(training, STOP_GRACE_MS);
    rmSync(recorder.path, { recursive: true, force: true });
    throw e instanceof SweepInterrupted ? e : new SweepInterrupted(abortSignalName(signal), p.id);
  } finally {
    signal?.removeEventListener('abort', stopTraining);
    interrupted.dispose();
    watch.stop();
    detachAdaptive?.();
    c.off('event', forward);
    c.broadcastStop('sweep point finished');
    await fleet.stop();
    await c.close();
  }
}

/** A promise that rejects with SweepInterrupted once `signal` aborts (never, without one). */
function interruption(signal: AbortSignal | undefined, point: string) {
  const fail = () => new SweepInterrupted(abortSignalName(signal!), point);
  let dispose = () => undefined as void;
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    if (signal.aborted) return reject(fail());
    const onAbort = () => reject(fail());
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  promise.catch(() => undefined);
  return {
    promise,
    dispose: () => dispose(),
    throwIfAborted: () => {
      if (signal?.aborted) throw fail();
    },
  };
}

/** Waits for `p` to settle, at most `ms`. */
async function settled(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** At most about `n` evenly spaced entries, always keeping the last. */
export function thin<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const every = Math.ceil(xs.length / n);
  const out = xs.filter((_, i) => i % every === 0);
  if (out[out.length - 1] !== xs[xs.length - 1]) out.push(xs[xs.length - 1]!);
  return out;
}
