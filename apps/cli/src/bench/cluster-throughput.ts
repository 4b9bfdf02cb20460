import { runTraining } from '@shardgrad/coordinator';
import { withLocalFleet } from './local-fleet.ts';

/** Rounds before measuring: speed estimates settle and the JIT warms up. */
const WARMUP_ROUNDS = 30;

/** Samples per second of real rounds (scatter, compute, gather, apply, broadcast) after warm-up. */
export async function measureClusterThroughput(o: { model: string; workers: number; batch: number; steps: number; slowdowns?: number[] }) {
  const extraArgs = (i: number) => (o.slowdowns?.[i] ? ['--slowdown', String(o.slowdowns[i])] : []);
  return withLocalFleet({ model: o.model, batch: o.batch, seed: 1 }, { workers: o.workers, extraArgs }, async (c) => {
    const times: number[] = [];
    let coordinatorMs = 0;
    let t0 = 0;
    c.on('event', (e) => {
      if (e.type !== 'round') return;
      if (e.step === WARMUP_ROUNDS) t0 = performance.now();
      if (e.step > WARMUP_ROUNDS) {
        times.push(e.roundMs);
        coordinatorMs += e.coordinatorMs;
      }
    });
    await runTraining(c, { epochs: 1000, maxSteps: WARMUP_ROUNDS + o.steps, minWorkers: o.workers });
    const seconds = (performance.now() - t0) / 1000;
    const roundMs = times.reduce((a, b) => a + b, 0);
    return {
      samplesPerSecond: (o.steps * o.batch) / seconds,
      msPerRound: (seconds * 1000) / o.steps,
      medianRoundMs: times.sort((a, b) => a - b)[times.length >> 1] ?? NaN,
      // The coordinator's own work (dispatch, checks, aggregation, optimizer) as a part of round time.
      coordinatorMsPerRound: coordinatorMs / o.steps,
      coordinatorShare: coordinatorMs / roundMs,
    };
  });
}
