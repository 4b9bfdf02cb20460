import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, nextEvent, runTraining } from '@shardgrad/coordinator';
import { startInProcessWorkers } from '@shardgrad/worker-node';

describe('a run that starts paused (coordinator --start-paused)', () => {
  it('admits workers but trains no round until the teacher resumes, then trains as planned', async () => {
    await initNodeBackend('wasm');
    const c = await createCoordinator({ model: 'mnist-mlp', batch: 16, seed: 2 });
    const fleet = startInProcessWorkers(1, (port) => c.attachPort(port), () => ({ backend: 'wasm', nickname: 'early' }));
    let rounds = 0;
    let roundsBeforeResume = -1;
    c.on('event', (e) => {
      if (e.type === 'round') rounds++;
    });
    try {
      const held = nextEvent(c, 'control');
      const training = runTraining(c, { epochs: 1, maxSteps: 3, minWorkers: 1, startPaused: true });
      expect(await held).toMatchObject({ action: 'pause', message: expect.stringMatching(/waiting for the teacher to start/) });
      await c.waitForWorkers(1);
      // Long enough for rounds to run, were the run not held.
      await new Promise((r) => setTimeout(r, 500));
      roundsBeforeResume = rounds;
      c.control.resume();
      const summary = await training;
      expect(roundsBeforeResume).toBe(0);
      expect(summary.steps).toBe(3);
    } finally {
      c.broadcastStop('test over');
      await fleet.stop();
      await c.close();
    }
  }, 120_000);
});
