import { rowSize } from '@shardgrad/data';
import { evaluate } from '@shardgrad/trainer';
import type { Coordinator } from './coordinator.ts';
import { DEFAULT_AGGREGATION, aggregateRound, aggregationRefusal, settleBeforeRobustRound } from './aggregation.ts';
import { type PolicyOutcome, type TrainingOptions, TrainingPolicy } from './training-policy.ts';

export interface TrainingPlan {
  epochs: number;
  /** Learning-rate schedule, validation split, early stopping (training-policy.ts). */
  options?: TrainingOptions;
  /** Stops after this many steps even mid-epoch (tests, benchmarks, sweeps). */
  maxSteps?: number;
  /**
   * Skip each epoch's last batch when it is short (PyTorch's drop_last): every step then trains a
   * full batch, which steps-to-target comparisons across batch sizes need (sweeps). The epoch's
   * next shuffle still reaches the rows left out.
   */
  dropLast?: boolean;
  /** Training starts once this many workers are connected. */
  minWorkers: number;
  /** Hold before the first round until the teacher's resume (a class that joins first, then starts together). */
  startPaused?: boolean;
  /** Evaluate on the test split after each epoch. */
  evaluateEachEpoch?: boolean;
  /**
   * Every this many steps, evaluate on the first rows of the test split and report it as
   * `test-sample`: the live curve of the dashboard and TensorBoard. Only without
   * `options.validationSplit`, which draws a `validation` curve of its own. Not called validation:
   * a researcher choosing by it would be choosing on test data.
   */
  evaluateEvery?: number;
}

/** Rows of the held-out split behind each periodic validation point: enough for a smooth curve, cheap. */
const VALIDATION_ROWS = 1000;

export interface TrainingSummary extends PolicyOutcome {
  type: 'summary';
  runId: string;
  model: string;
  dataset: string;
  steps: number;
  /** Whether the run went to the end of its plan, or was stopped (a signal, the teacher, a target reached). */
  reason: 'completed' | 'stopped';
  /** Passes over the training rows so far, resumed ones included (2 decimals): 0.9 after 90% of one. */
  epochs: number;
  /** This session's samples and seconds (from the first round, not from the wait for workers). */
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  workers: number;
  reassignedShards: number;
  rejectedSubmissions: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
  testMetrics: Record<string, number>;
  /** The model's own held-out figures (F1, RMSE against a baseline, …), when it defines `report`. */
  report?: Record<string, number | string>;
}

/**
 * The synchronous data-parallel loop: each step takes the next global batch of the seeded epoch
 * order, gets one gradient per shard from the cluster, applies their shard-weighted mean.
 */
export async function runTraining(c: Coordinator, plan: TrainingPlan): Promise<TrainingSummary> {
  const { dataset, state } = c.config;
  const policy = new TrainingPolicy(c, plan);
  const n = policy.trainRows;
  // `--resume`: go on from the checkpoint's position (once; a new run starts at zero).
  const from = c.resumedFrom?.position;
  if (c.resumedFrom) {
    const { position, file, stateDigest, skipped } = c.resumedFrom;
    c.emit('event', { type: 'resumed', ...position, path: file, stateDigest, ...(skipped && { skipped }) });
  }
  c.resumedFrom = undefined;
  let step = from?.step ?? 0;
  /** Consecutive rounds whose results were too few for the aggregator. */
  let shortRounds = 0;
  let samples = 0;
  let reassigned = 0;
  /** Mean loss over the current (or last) epoch's rounds so far. */
  let trainLoss = NaN;
  const workersSeen = new Set<string>();
  c.control.begin();
  if (plan.startPaused) {
    c.control.pause();
    c.emit('event', { type: 'control', action: 'pause', message: 'waiting for the teacher to start the run (Resume on the dashboard)', step });
  }
  await c.control.stillWhile(step, () => c.waitForWorkers(plan.minWorkers));
  // A first round of a big model can take a minute: /readyz and the metrics say training from its start.
  c.readiness.roundsBegin();
  // Training time starts with the first round: the wait for the first workers to start (seconds for
  // worker processes, minutes for a class joining) is not training.
  const started = performance.now();
  outer: for (let epoch = from?.epoch ?? 0; epoch < plan.epochs; epoch++) {
    const order = policy.epochOrder(epoch);
    let epochLoss = 0;
    let epochSamples = 0;
    const epochMetrics: Record<string, number> = {};
    for (let start = epoch === from?.epoch ? from.offset : 0; start < n; ) {
      if (plan.maxSteps !== undefined && step >= plan.maxSteps) break outer;
      // Never an epoch's first batch: a batch larger than the training set still trains.
      if (plan.dropLast && start > 0 && n - start < c.config.batch) break;
      // minWorkers gates the start only: later, losing workers must not stall a run that can go on.
      if (c.pool.size === 0) await c.control.stillWhile(step, () => c.waitForWorkers(1));
      c.position = { step, epoch, offset: start };
      if ((await c.control.boundary(step)) === 'stop') break outer;
      // A robust rule states how many results it needs for f liars: no round starts without them.
      const rule = c.config.aggregation ?? DEFAULT_AGGREGATION;
      const refusal = aggregationRefusal(rule, c.pool.size);
      if (refusal) {
        c.emit('event', { type: 'round-refused', step, aggregator: rule.name, results: c.pool.size, reason: refusal });
        await c.control.stillWhile(step, () => c.waitForWorkers(c.pool.size + 1));
        continue;
      }
      await settleBeforeRobustRound(rule, c.pool);
      // Read each round: the teacher may change the batch between rounds.
      const batch = c.config.batch;
      const t0 = performance.now();
      const indices = order.subarray(start, Math.min(n, start + batch));
      start += batch;
      const outcome = await c.runRound(step, indices, policy.beforeRound(step, epoch + Math.min(1, start / n)));
      // Stopped with nobody left to finish the round: it never happened (c.position is still before it).
      if (outcome.abandoned) break outer;
      // Fewer results than workers (one still busy with a late copy got no share): the rule may not
      // apply, so the batch is redone, after a short, growing pause for the stragglers to finish.
      const short = aggregationRefusal(rule, outcome.parts.length);
      if (short) {
        c.emit('event', { type: 'round-refused', step, aggregator: rule.name, results: outcome.parts.length, reason: short });
        start -= batch;
        shortRounds++;
        // A new weights version (same weights): results of the refused attempt, which carry the same
        // round number, are then stale and can never be taken for a shard of the retry.
        state.version++;
        await new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** shortRounds)));
        continue;
      }
      shortRounds = 0;
      c.cost.time(() => {
        const update = aggregateRound(rule, outcome.parts, state.trainableCount, state.updateTarget);
        // Under the mean the update is the plain mean the noise scale needs; measure it before Adam consumes it.
        c.noiseScale.observe(step + 1, outcome.parts, rule.name === 'mean' ? update : undefined);
        // Every result passed the norm guard's Σg² ceiling, and a shard-weighted mean stays within its parts.
        if (!state.apply(update, { gradientsBounded: rule.name === 'mean' })) c.emit('event', { type: 'update-skipped', step, reason: state.optimizer.refusal ?? 'the optimizer refused the step' });
      });
      step++;
      c.position = { step, epoch, offset: start };
      samples += outcome.samples;
      reassigned += outcome.reassigned;
      outcome.shards.forEach((s) => workersSeen.add(s.workerId));
      epochLoss += outcome.loss * outcome.samples;
      epochSamples += outcome.samples;
      trainLoss = epochLoss / epochSamples;
      for (const [k, v] of Object.entries(outcome.metrics)) epochMetrics[k] = (epochMetrics[k] ?? 0) + v * outcome.samples;
      c.emit('event', {
        type: 'round',
        round: step - 1,
        step,
        epoch,
        loss: outcome.loss,
        metrics: outcome.metrics,
        samples: outcome.samples,
        roundMs: performance.now() - t0,
        coordinatorMs: c.cost.take(),
        workers: outcome.shards.length,
        reassigned: outcome.reassigned,
      });
      c.emit('event', { type: 'workers', step, workers: c.pool.liveViews() });
      // With a validation split the policy draws the validation curve; without one, test rows, said so.
      if (plan.evaluateEvery && plan.options?.validationSplit === undefined && step % plan.evaluateEvery === 0) {
        const k = Math.min(VALIDATION_ROWS, dataset.test.n);
        const rows = { n: k, x: dataset.test.x.subarray(0, k * rowSize(dataset.inputShape)), y: dataset.test.y.subarray(0, k * dataset.labelSize) };
        c.emit('event', { type: 'evaluation', split: 'test-sample', step, rows: k, testRows: dataset.test.n, ...evaluate(state.model, state.def, dataset, rows, c.config.modelConfig) });
      }
      if (policy.afterRound(step) === 'stop') break outer;
    }
    for (const k of Object.keys(epochMetrics)) epochMetrics[k]! /= Math.max(1, epochSamples);
    c.emit('event', { type: 'epoch', epoch, step, trainLoss, trainMetrics: epochMetrics, seconds: (performance.now() - started) / 1000 });
    if (policy.afterEpoch(epoch, step) === 'stop') break;
    if (plan.evaluateEachEpoch && epoch < plan.epochs - 1) {
      const ev = evaluate(state.model, state.def, dataset, dataset.test, c.config.modelConfig);
      c.emit('event', { type: 'evaluation', split: 'test', step, ...ev });
    }
  }
  await c.control.end(step);
  const reason = c.control.stopRequested ? 'stopped' : 'completed';
  c.emit('event', { type: 'finished', step, reason });
  const seconds = (performance.now() - started) / 1000;
  policy.finish();
  const test = evaluate(state.model, state.def, dataset, dataset.test, c.config.modelConfig);
  c.emit('event', { type: 'evaluation', split: 'test', step, final: true, ...test });
  const report = state.def.report?.({ model: state.model, dataset, config: c.config.modelConfig ?? {} });
  if (report) c.emit('event', { type: 'report', split: 'test', step, figures: report });
  // The workers that left count too: a worker dropped for its strikes is the summary's main case.
  const rejected = [...c.pool.list(), ...c.pool.departed()].reduce((s, m) => s + m.errors, 0);
  return {
    type: 'summary',
    runId: c.runId,
    model: state.def.name,
    dataset: c.config.datasetName,
    steps: step,
    reason,
    epochs: Math.round((c.position.epoch + Math.min(1, c.position.offset / n)) * 100) / 100,
    samples,
    seconds,
    samplesPerSecond: samples / seconds,
    workers: workersSeen.size,
    reassignedShards: reassigned,
    rejectedSubmissions: rejected,
    trainLoss,
    testLoss: test.loss,
    testAccuracy: test.metrics.accuracy ?? NaN,
    testMetrics: test.metrics,
    ...(report ? { report } : {}),
    ...policy.outcome(),
  };
}
