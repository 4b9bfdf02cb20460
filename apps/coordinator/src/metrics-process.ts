import { Registry, collectDefaultMetrics } from 'prom-client';

let shared: Registry | undefined;

/**
 * The process's own metrics (CPU, memory, heap, event-loop lag, GC, handles), under prom-client's
 * standard names (`process_*`, `nodejs_*`) so that stock Node.js dashboards and alerts work as they
 * are. One set per process, however many coordinators it runs: collectDefaultMetrics starts an
 * event-loop delay monitor and a GC observer that are never stopped, so one per coordinator would
 * pile up in a process that starts many (tests, sweeps, benchmarks).
 */
export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
