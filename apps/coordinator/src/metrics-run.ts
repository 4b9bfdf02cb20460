import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { getLearningRate } from '@shardgrad/trainer';
import type { Coordinator } from './coordinator.ts';
import { DEFAULT_AGGREGATION } from './aggregation.ts';
import type { CoordinatorEvent } from './events.ts';

export const RUN_STATES = ['starting', 'waiting', 'training', 'paused', 'stopping', 'finished'] as const;
export type MetricsRunState = (typeof RUN_STATES)[number];

/**
 * From a few ms (an MLP on threads) to a minute (a big model on a class of phones): the buckets
 * must tell a healthy round from one that waited out a straggler's deadline.
 */
const ROUND_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Where the run stands. The classroom's DashboardHub has its own, but a coordinator without the
 * dashboard (`--no-dashboard`, a Deployment) has none, so this one reads the loop's own state.
 */
export function runState(c: Coordinator): MetricsRunState {
  if (!c.control.running) return c.readiness.phase === 'starting' ? 'starting' : 'finished';
  if (c.control.stopRequested) return 'stopping';
  if (c.control.paused) return 'paused';
  // Mid-run with every worker gone, the round waits for the next one to join.
  return c.readiness.phase === 'training' && c.pool.size > 0 ? 'training' : 'waiting';
}

/**
 * The run's metrics: counters and the round histogram follow the coordinator's events (the same
 * ones the --json lines and the dashboard show); what the coordinator holds anyway (step, learning
 * rate, batch, state) is read when Prometheus scrapes, so it cannot go stale.
 *
 * Counters count over the process's life, across the runs a class starts from the dashboard, as
 * Prometheus expects of counters; `shardgrad_run_info` says which run is current.
 */
export function registerRunMetrics(c: Coordinator, registry: Registry): void {
  const registers = [registry];
  const rounds = new Counter({ name: 'shardgrad_rounds_total', help: 'Training rounds completed (optimizer steps applied).', registers });
  const samples = new Counter({ name: 'shardgrad_samples_trained_total', help: 'Training samples whose gradients were applied.', registers });
  const reassigned = new Counter({ name: 'shardgrad_reassigned_shards_total', help: 'Shards given to another worker because theirs was late or gone.', registers });
  const coordinatorBusy = new Counter({
    name: 'shardgrad_coordinator_busy_seconds_total',
    help: "The coordinator's own work in rounds (dispatch, result checks, aggregation, optimizer); the rest of a round is waiting for workers.",
    registers,
  });
  const roundSeconds = new Histogram({ name: 'shardgrad_round_duration_seconds', help: 'Wall time of a training round, from dispatch to the applied update.', buckets: ROUND_SECONDS_BUCKETS, registers });
  const refusedRounds = new Counter({ name: 'shardgrad_round_refusals_total', help: 'Rounds not started or redone: fewer results than the aggregator needs.', registers });
  const finished = new Counter({ name: 'shardgrad_runs_finished_total', help: 'Runs ended, by reason (completed, stopped).', labelNames: ['reason'], registers });
  const checkpoints = new Counter({ name: 'shardgrad_checkpoints_total', help: 'Checkpoints written.', registers });
  const trainLoss = new Gauge({ name: 'shardgrad_train_loss', help: "The last round's mean training loss (absent until the run's first round).", registers });
  const trainMetric = new Gauge({ name: 'shardgrad_train_metric', help: "The last round's training metrics (accuracy, …), by metric.", labelNames: ['metric'], registers });
  const evalLoss = new Gauge({ name: 'shardgrad_evaluation_loss', help: 'Loss of the last evaluation of this run, by split (test, validation, test-sample: the first test rows).', labelNames: ['split'], registers });
  const evalMetric = new Gauge({ name: 'shardgrad_evaluation_metric', help: 'Metrics of the last evaluation of this run, by split and metric.', labelNames: ['split', 'metric'], registers });
  const noiseScale = new Gauge({ name: 'shardgrad_gradient_noise_scale', help: 'The gradient noise scale B_simple, in samples: the batch beyond which more workers stop paying (absent until measured).', registers });
  trainLoss.remove();
  noiseScale.remove();

  c.on('event', (e: CoordinatorEvent) => {
    switch (e.type) {
      case 'round':
        rounds.inc();
        samples.inc(e.samples);
        reassigned.inc(e.reassigned);
        coordinatorBusy.inc(e.coordinatorMs / 1000);
        roundSeconds.observe(e.roundMs / 1000);
        trainLoss.set(e.loss);
        for (const [metric, v] of Object.entries(e.metrics)) trainMetric.set({ metric }, v);
        break;
      case 'evaluation':
        evalLoss.set({ split: e.split }, e.loss);
        for (const [metric, v] of Object.entries(e.metrics)) evalMetric.set({ split: e.split, metric }, v);
        break;
      case 'noise-scale':
        if (e.available && e.bSimple !== null) noiseScale.set(e.bSimple);
        else noiseScale.remove();
        break;
      case 'round-refused':
        refusedRounds.inc();
        break;
      case 'finished':
        finished.inc({ reason: e.reason });
        break;
      case 'checkpoint':
        checkpoints.inc();
        break;
      case 'run-started':
        // The last run's figures are not the new run's: absent until it measures its own.
        trainLoss.remove();
        trainMetric.reset();
        evalLoss.reset();
        evalMetric.reset();
        noiseScale.remove();
        break;
    }
  });

  const reading = (name: string, help: string, read: () => number) => new Gauge({ name, help, registers, collect() {
    this.set(read());
  } });
  reading('shardgrad_step', 'Steps done in the current run (a resumed run counts from its checkpoint).', () => c.position.step);
  reading('shardgrad_epoch', 'The epoch in progress, from 0.', () => c.position.epoch);
  reading('shardgrad_learning_rate', "This step's learning rate (schedule and warm-up applied).", () => getLearningRate(c.config.state.optimizer));
  reading('shardgrad_global_batch_size', 'Samples per round, over all workers.', () => c.config.batch);
  reading('shardgrad_model_parameters', "The model's parameter count.", () => c.config.state.parameterCount);
  new Gauge({ name: 'shardgrad_run_info', help: 'The current run, as labels; always 1.', labelNames: ['run_id', 'model', 'dataset', 'optimizer', 'aggregator'], registers, collect() {
    this.reset();
    const { def, datasetName, state, aggregation } = c.config;
    this.set({ run_id: c.runId, model: def.name, dataset: datasetName, optimizer: state.optimizer.getClassName(), aggregator: (aggregation ?? DEFAULT_AGGREGATION).name }, 1);
  } });
  new Gauge({ name: 'shardgrad_run_state', help: `1 for the state the run is in, 0 for the others (${RUN_STATES.join(', ')}).`, labelNames: ['state'], registers, collect() {
    const now = runState(c);
    for (const state of RUN_STATES) this.set({ state }, state === now ? 1 : 0);
  } });
}
