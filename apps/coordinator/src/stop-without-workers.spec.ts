import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { createCoordinator } from './create-coordinator.ts';
import type { Coordinator } from './coordinator.ts';
import { runSession } from './run-session.ts';
import { nextEvent as next } from './next-event.ts';

describe('a stop while every worker has left mid-round', () => {
  let c: Coordinator;
  let worker: NodeWorkerHandle | undefined;
  afterAll(async () => {
    worker?.close();
    await c?.close();
  });

  it('ends the run at once, without the unfinished round, and writes the checkpoint asked for', async () => {
    await initNodeBackend('wasm');
    c = await createCoordinator({ model: 'mnist-mlp', batch: 16, port: 0 });
    let left!: () => void;
    const gone = new Promise<void>((r) => (left = r));
    // The only worker takes round 3's task and leaves (a student closing the tab) before answering.
    worker = await startNodeWorker({
      url: c.url,
      nickname: 'leaves',
      stall: (round) => {
        if (round !== 3) return undefined;
        worker!.close();
        left();
        return new Promise<void>(() => undefined);
      },
    });
    const finished = next(c, 'finished');
    const session = runSession(c, {
      plan: () => ({ epochs: 1, maxSteps: 50, minWorkers: 1 }),
      record: { root: mkdtempSync(join(tmpdir(), 'shardgrad-stop-')) },
      allowNewRuns: false,
      keepAlive: false,
    });
    await gone;
    while (c.pool.size > 0) await new Promise((r) => setTimeout(r, 10));
    // Round 3 now waits for a worker that may never come: the teacher stops, then asks for a checkpoint.
    c.control.stop();
    const checkpoint = c.control.requestCheckpoint();
    expect(await finished).toMatchObject({ type: 'finished', step: 3 });
    await expect(checkpoint).resolves.toMatch(/step-0*3$/);
    const [summary] = await session;
    expect(summary!.steps).toBe(3);
    expect(c.config.state.version).toBe(3);
  });
});
