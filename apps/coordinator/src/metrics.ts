import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import type { Coordinator } from './coordinator.ts';
import { sendJson } from './http-routes.ts';
import { checkGivenToken, hasBearer } from './auth.ts';
import { processMetrics } from './metrics-process.ts';
import { registerRunMetrics } from './metrics-run.ts';
import { registerWorkerMetrics } from './metrics-workers.ts';

/**
 * `GET /metrics`: the coordinator in Prometheus' text format (prom-client): the run, the fleet, and
 * the process. Open like `/api/status`, which already publishes the same facts (run, workers, their
 * speeds and errors), until `requireToken` asks for `Authorization: Bearer <token>`.
 *
 * A registry of its own, not prom-client's global one: a process may run many coordinators (tests,
 * sweeps, benchmarks), and each must count only its own rounds and workers.
 */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  private token: string | undefined;

  constructor(c: Coordinator) {
    registerRunMetrics(c, this.registry);
    registerWorkerMetrics(c, this.registry);
    c.routes.on('GET', '/metrics', (req, res) => this.serve(req, res));
  }

  /** From now on a scrape needs this bearer token (`--metrics-token`). */
  requireToken(token: string): void {
    checkGivenToken('metrics', token);
    this.token = token;
  }

  /** The exposition text: this coordinator's metrics and the process's. */
  async text(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.token !== undefined && !hasBearer(req, this.token)) {
      res.setHeader('www-authenticate', 'Bearer realm="shardgrad metrics"');
      return sendJson(res, 401, { ok: false, error: 'the metrics need the metrics token (Authorization: Bearer <token>)' });
    }
    const body = await this.text();
    res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
  }
}
