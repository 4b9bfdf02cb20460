import type { Coordinator } from './coordinator.ts';
import type { CoordinatorEvent } from './events.ts';
import { sendJson } from './http-routes.ts';

/**
 * Where a coordinator's life stands, as an orchestrator's readiness probe sees it. `starting` is
 * the only phase that is not ready: the HTTP server answers, but no training loop admits work yet.
 */
export type ReadinessPhase = 'starting' | 'waiting-for-workers' | 'training' | 'finished';

/**
 * Serves `GET /readyz`: 200 once the training loop waits for workers or runs rounds, and after a
 * run finished (a long-lived coordinator stays in its Service between runs); 503 before the first.
 * `/healthz` stays the liveness check: it only says the process answers.
 */
export class Readiness {
  private current: ReadinessPhase = 'starting';

  constructor(c: Coordinator) {
    c.on('event', (e) => this.observe(e));
    c.routes.on('GET', '/readyz', (_req, res) => sendJson(res, this.ready ? 200 : 503, { ready: this.ready, phase: this.current }));
  }

  get phase(): ReadinessPhase {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== 'starting';
  }

  /** Enough workers joined and the first round goes out: training, before the first round has come back. */
  roundsBegin(): void {
    this.current = 'training';
  }

  /** The training loop returned: nothing more to compute, but the status and results stay served. */
  finish(): void {
    this.current = 'finished';
  }

  /** Phases follow the loop's events, so a next run (the dashboard's "new run") is followed too. */
  private observe(e: CoordinatorEvent): void {
    if (e.type === 'waiting') this.current = 'waiting-for-workers';
    else if (e.type === 'round') this.current = 'training';
    else if (e.type === 'finished') this.current = 'finished';
  }
}
