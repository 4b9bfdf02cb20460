import type { Coordinator } from '@shardgrad/coordinator';

/**
 * After training, a long-lived coordinator (a Kubernetes Deployment, a compose service) keeps
 * answering /healthz, /readyz and /api/status instead of exiting, which the orchestrator would
 * read as a crash and answer with a fresh run. Workers that join now are told the run is over, so
 * their Job completes. Resolves on SIGTERM or SIGINT, the orchestrator's way of saying stop.
 */
export function keepServing(c: Coordinator): Promise<NodeJS.Signals> {
  c.readiness.finish();
  c.on('event', (e) => {
    if (e.type !== 'worker-joined') return;
    c.pool.list().find((m) => m.id === e.worker.id)?.disconnect('training finished');
  });
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}
