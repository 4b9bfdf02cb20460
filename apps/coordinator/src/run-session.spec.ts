import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { applyControl, ControlError } from './control-actions.ts';
import { createCoordinator } from './create-coordinator.ts';
import type { Coordinator } from './coordinator.ts';
import { runSession } from './run-session.ts';
import { nextEvent as next } from './next-event.ts';

describe('a session kept alive between runs (a class)', () => {
  let c: Coordinator;
  let worker: NodeWorkerHandle;
  afterAll(async () => {
    worker?.close();
    await c?.close();
  });

  it('waits after a run for the teacher’s next one, and ends when told to quit', async () => {
    await initNodeBackend('wasm');
    c = await createCoordinator({ model: 'mnist-mlp', batch: 16, port: 0 });
    worker = await startNodeWorker({ url: c.url, nickname: 'w' });
    let quit!: () => void;
    const firstDone = next(c, 'finished');
    const session = runSession(c, {
      plan: () => ({ epochs: 1, maxSteps: 3, minWorkers: 1 }),
      record: { root: mkdtempSync(join(tmpdir(), 'shardgrad-session-')) },
      allowNewRuns: true,
      keepAlive: true,
      until: new Promise<void>((r) => (quit = r)),
    });
    await firstDone;
    // Between runs nothing trains, but a checkpoint, a new run, are still the teacher's to ask for.
    const started = next(c, 'run-started');
    const secondDone = next(c, 'finished');
    await applyControl(c, { action: 'new-run', model: 'mnist-mlp', batch: 8 });
    expect(await started).toMatchObject({ type: 'run-started', model: 'mnist-mlp' });
    expect(await secondDone).toMatchObject({ type: 'finished', step: 3 });
    // The worker came back under its resume key, as the same worker: listed once, live, with the
    // new run's work only (it had done 3 rounds of 16 before).
    const views = c.pool.views();
    expect(views).toHaveLength(1);
    expect(views[0]!.status).not.toBe('gone');
    expect(views[0]).toMatchObject({ rounds: 3, samples: 24 });
    quit();
    const summaries = await session;
    expect(summaries.map((s) => s.steps)).toEqual([3, 3]);
    expect(c.config.batch).toBe(8);
    // The session is over: no one drives a new run now, and saying so beats silently ignoring it.
    await expect(applyControl(c, { action: 'new-run', model: 'mnist-mlp' })).rejects.toThrow(ControlError);
  });
});
