import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createCoordinator, runTraining } from '@shardgrad/coordinator';

const SWARM = fileURLToPath(new URL('./client-swarm.mjs', import.meta.url));
const MB = 1024 * 1024;

export interface ClientsFigures {
  clients: number;
  model: string;
  batch: number;
  rounds: number;
  /** Mean results per round (clients that got a shard). */
  resultsPerRound: number;
  msPerRound: number;
  /** The coordinator's own work per round: dispatch, checks, aggregation, optimizer. */
  coordinatorMsPerRound: number;
  /** The coordinator process only: the clients run in a process of their own. */
  memory: { rssMB: number; heapUsedMB: number; rssGrowthMB: number };
  eventLoopLagMs: { p50: number; p99: number; max: number };
}

/**
 * A coordinator with `clients` simulated clients (client-swarm.ts, in another process), training the
 * model for `rounds` rounds after `warmup` rounds: what a classroom of tabs costs the coordinator per
 * round, and in memory.
 */
export async function simulatedClientsBench(o: { clients: number; model: string; batch: number; rounds: number; warmup: number }): Promise<ClientsFigures> {
  const c = await createCoordinator({ model: o.model, batch: o.batch, seed: 1 });
  c.admission.configure({ maxTabsPerIp: o.clients + 10, maxTabsPerNickname: o.clients + 10 });
  // A supervised model's results must report its metrics, and only those (validate-result.ts).
  const metricNames = c.config.def.customStep ? [] : Object.keys(c.config.def.metrics);
  const swarm = spawn(process.execPath, [SWARM, c.url, String(o.clients), JSON.stringify(c.config.state.specs), JSON.stringify(metricNames)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const { warmup } = o;
    let rounds = 0;
    let coordinatorMs = 0;
    let results = 0;
    let t0 = 0;
    let memBefore = process.memoryUsage();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    c.on('event', (e) => {
      if (e.type !== 'round') return;
      if (e.step === warmup) {
        t0 = performance.now();
        memBefore = process.memoryUsage();
        lag.enable();
      } else if (e.step > warmup) {
        rounds++;
        coordinatorMs += e.coordinatorMs;
        results += e.workers;
      }
    });
    await runTraining(c, { epochs: 1_000_000, maxSteps: warmup + o.rounds, minWorkers: o.clients });
    const seconds = (performance.now() - t0) / 1000;
    lag.disable();
    const mem = process.memoryUsage();
    return {
      clients: o.clients,
      model: o.model,
      batch: o.batch,
      rounds,
      resultsPerRound: results / rounds,
      msPerRound: (seconds * 1000) / rounds,
      coordinatorMsPerRound: coordinatorMs / rounds,
      memory: { rssMB: mem.rss / MB, heapUsedMB: mem.heapUsed / MB, rssGrowthMB: (mem.rss - memBefore.rss) / MB },
      eventLoopLagMs: { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
    };
  } finally {
    swarm.kill('SIGKILL');
    c.broadcastStop('bench done');
    await c.close();
  }
}
