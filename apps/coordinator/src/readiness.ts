import type { Coordinator } from './coordinator.ts';
import type { CoordinatorEvent } from './events.ts';
import { sendJson } from './http-routes.ts';

/**
 * Where a coordinator's life stands, as an orchestrator's readiness probe sees it. `starting` is
 * the only phase that is not ready: the HTTP server answers, but no training loop admits work yet.
 */
export type ReadinessPhase = 'starting' | 'waiting-for-workers' | 'training' | 'finished';

/**
 * Serves `GET /readyz`: 200 once the training loop waits for workers or runs rounds (and after it
 * finished, so a long-lived deployment stays in its Service), 503 before. `/healthz` stays the
 * liveness check: it only says the process answers.
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

  /** The training loop returned: nothing more to compute, but the status and results stay served. */
  finish(): void {
    this.current = 'finished';
  }

  private observe(e: CoordinatorEvent): void {
    if (this.current === 'finished') return;
    if (e.type === 'waiting') this.current = 'waiting-for-workers';
    else if (e.type === 'round') this.current = 'training';
  }
}
