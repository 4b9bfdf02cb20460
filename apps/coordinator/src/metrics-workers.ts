import { Counter, Gauge, type Registry } from 'prom-client';
import type { Coordinator } from './coordinator.ts';
import type { CoordinatorEvent } from './events.ts';
import type { PoolMember, WorkerPool } from './worker-pool.ts';

const WORKER_LABELS = ['worker_id', 'kind', 'backend'] as const;
type WorkerLabel = (typeof WORKER_LABELS)[number];

const labelsOf = (m: PoolMember): Record<WorkerLabel, string> => ({ worker_id: m.id, kind: m.kind, backend: m.backend });

/**
 * A gauge with one series per connected worker, rebuilt from the pool at every scrape. Rebuilt, not
 * updated: a worker that left has no series any more, so a class where hundreds of tabs come and
 * go does not leave hundreds of dead series behind (nor does a worker that never says goodbye).
 */
function perWorkerGauge(pool: WorkerPool, registry: Registry, name: string, help: string, value: (m: PoolMember) => number | undefined): void {
  new Gauge({ name, help, labelNames: WORKER_LABELS, registers: [registry], collect() {
    this.reset();
    for (const m of pool.list()) {
      const v = value(m);
      if (v !== undefined) this.set(labelsOf(m), v);
    }
  } });
}

/**
 * The same for a worker's own running totals. They are counters (rate() works on them); a worker
 * that rejoins a new run starts from zero again, which Prometheus reads as a counter reset.
 */
function perWorkerCounter(pool: WorkerPool, registry: Registry, name: string, help: string, value: (m: PoolMember) => number): void {
  new Counter({ name, help, labelNames: WORKER_LABELS, registers: [registry], collect() {
    this.reset();
    for (const m of pool.list()) this.inc(labelsOf(m), value(m));
  } });
}

/**
 * The fleet: who is connected now and how each worker does (read from the pool at scrape time),
 * and what happened at the door and to results (counted from the coordinator's events).
 */
export function registerWorkerMetrics(c: Coordinator, registry: Registry): void {
  const { pool } = c;
  const registers = [registry];
  new Gauge({ name: 'shardgrad_workers_connected', help: 'Workers connected and ready for tasks, by kind and backend.', labelNames: ['kind', 'backend'], registers, collect() {
    // Reset at each scrape: `backend` is the worker's own word, so kept combinations could grow without end.
    this.reset();
    for (const m of pool.list()) this.inc({ kind: m.kind, backend: m.backend });
  } });
  new Gauge({ name: 'shardgrad_worker_info', help: 'A connected worker, with its nickname as a label; always 1.', labelNames: [...WORKER_LABELS, 'nickname'], registers, collect() {
    this.reset();
    for (const m of pool.list()) this.set({ ...labelsOf(m), nickname: m.nickname ?? '' }, 1);
  } });
  perWorkerGauge(pool, registry, 'shardgrad_worker_samples_per_second', "The coordinator's estimate of the worker's compute speed, which sizes its shards.", (m) => m.speed);
  perWorkerGauge(pool, registry, 'shardgrad_worker_batch_share_ratio', "The worker's planned fraction of the last round's batch (0 to 1).", (m) => m.share);
  perWorkerGauge(pool, registry, 'shardgrad_worker_result_bytes', "Size of the worker's last accepted result, after its compression.", (m) => m.resultBytes);
  perWorkerGauge(pool, registry, 'shardgrad_worker_last_seen_timestamp_seconds', 'When the worker last sent a result (Unix time): a worker that stalls falls behind time().', (m) => m.lastSeen / 1000);
  perWorkerCounter(pool, registry, 'shardgrad_worker_rounds_total', 'Rounds the worker contributed an accepted result to, in this run.', (m) => m.rounds);
  perWorkerCounter(pool, registry, 'shardgrad_worker_samples_total', 'Samples the worker computed accepted gradients for, in this run.', (m) => m.samples);
  perWorkerCounter(pool, registry, 'shardgrad_worker_errors_total', "The worker's refused submissions that were its fault (its strikes; late copies do not count).", (m) => m.errors);

  const joins = new Counter({ name: 'shardgrad_worker_joins_total', help: 'Workers admitted and ready, by kind.', labelNames: ['kind'], registers });
  const departures = new Counter({ name: 'shardgrad_worker_departures_total', help: 'Workers gone (left, lost or dropped), by whether they held work that had to be reassigned.', labelNames: ['held_work'], registers });
  const rejected = new Counter({ name: 'shardgrad_rejected_submissions_total', help: 'Results (and flooded control messages) refused, by reason code; stale-round and duplicate are late copies, not faults.', labelNames: ['reason'], registers });
  const refused = new Counter({ name: 'shardgrad_refused_joins_total', help: 'Hellos refused at the door (token, join code, protocol version, limits), by reason code.', labelNames: ['reason'], registers });
  const dropped = new Counter({ name: 'shardgrad_workers_dropped_total', help: 'Workers dropped for too many refused submissions.', registers });
  const spotChecks = new Counter({ name: 'shardgrad_spot_checks_total', help: "Shards recomputed on the coordinator to check a worker, by result (pass, fail).", labelNames: ['result'], registers });

  c.on('event', (e: CoordinatorEvent) => {
    switch (e.type) {
      case 'worker-joined':
        joins.inc({ kind: e.worker.kind });
        break;
      case 'worker-left':
        departures.inc({ held_work: String(e.reassigned) });
        break;
      case 'rejected':
        rejected.inc({ reason: e.reason });
        break;
      case 'worker-refused':
        refused.inc({ reason: e.reason });
        break;
      case 'worker-dropped':
        dropped.inc();
        break;
      case 'spot-check':
        spotChecks.inc({ result: e.ok ? 'pass' : 'fail' });
        break;
    }
  });
}
