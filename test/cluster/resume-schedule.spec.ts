import { describe, expect, it } from 'vitest';
import { captureCheckpoint, createCoordinator, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, runTraining, stateDigest } from '@shardgrad/coordinator';
import { startNodeWorker } from '@shardgrad/worker-node';
import { parseLrSchedule } from '@shardgrad/trainer';
import { startTestCluster } from '../support/cluster.ts';

const STEPS = 12;
const STOP_AT = 8;
const options = { lrSchedule: parseLrSchedule('cosine'), warmupSteps: 3 };
const config = { model: 'mnist-mlp', batch: 32, seed: 3, learningRate: 0.01, split: 'equal' as const };
const cluster = () => startTestCluster(config, [{ nickname: 'w' }]);

/**
 * A cosine schedule with warm-up, stopped at step 8 and resumed from its checkpoint: the resumed run
 * must take the steps the uninterrupted one took. It scheduled the checkpoint's already scheduled
 * rate a second time (a cosine at step 8 of 12 is a quarter of the base: each step after the resume
 * moved by a quarter of a quarter), and a run extended past its end barely trained.
 */
describe('a resumed run with a learning-rate schedule', () => {
  it('ends on the bits of the run that never stopped', async () => {
    const ref = await cluster();
    let refDigest: string;
    try {
      await runTraining(ref.coordinator, { epochs: 1, maxSteps: STEPS, minWorkers: 1, options });
      const s = ref.coordinator.config.state;
      refDigest = stateDigest(s.weights(), s.optimizer.getState());
    } finally {
      await ref.close();
    }

    const first = await cluster();
    let saved: Uint8Array;
    try {
      const c = first.coordinator;
      c.on('event', (e) => e.type === 'round' && e.step === STOP_AT && c.control.stop());
      await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 1, options });
      expect(c.config.state.version).toBe(STOP_AT);
      saved = encodeCheckpoint(captureCheckpoint(c));
    } finally {
      await first.close();
    }

    // As `--resume` does: the checkpoint goes in before any worker joins (it carries the run id).
    const c = await createCoordinator({ port: 0, ...config });
    restoreCheckpoint(c, { checkpoint: decodeCheckpoint(saved), file: 'memory', runDir: 'memory' });
    const worker = await startNodeWorker({ url: c.url, nickname: 'w' });
    try {
      await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 1, options });
      const s = c.config.state;
      expect(s.version).toBe(STEPS);
      expect(stateDigest(s.weights(), s.optimizer.getState())).toBe(refDigest);
    } finally {
      worker.close();
      await c.close();
    }
  });
});
