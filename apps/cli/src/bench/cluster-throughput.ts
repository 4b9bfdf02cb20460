import { runTraining } from '@shardgrad/coordinator';
import { withLocalFleet } from './local-fleet.ts';
import type { LocalWorkerKind } from '../local-workers.ts';
import { WarmClock } from './warm-clock.ts';
import { threadCpuMs } from './thread-cpu.ts';

/** Samples per second of real rounds (scatter, compute, gather, apply, broadcast) once the JIT has settled. */
export async function measureClusterThroughput(o: { model: string; workers: number; batch: number; steps: number; warmupSeconds?: number; as?: LocalWorkerKind }) {
  return withLocalFleet({ model: o.model, batch: o.batch, seed: 1 }, { workers: o.workers, as: o.as }, async (c) => {
    const clock = new WarmClock(o.steps, o.warmupSeconds);
    const times: number[] = [];
    let coordinatorMs = 0;
    let cpuAtStart: number | undefined;
    let cpuAtEnd: number | undefined;
    c.on('event', (e) => {
      if (e.type !== 'round') return;
      const wasTiming = clock.times(e.step);
      clock.roundEnded(e.step);
      if (!wasTiming && clock.times(e.step + 1)) cpuAtStart = threadCpuMs();
      if (clock.times(e.step)) {
        times.push(e.roundMs);
        coordinatorMs += e.coordinatorMs;
      }
      if (clock.done && cpuAtEnd === undefined) {
        cpuAtEnd = threadCpuMs();
        c.control.stop();
      }
    });
    await runTraining(c, { epochs: 1000, minWorkers: o.workers });
    const seconds = clock.seconds;
    const roundMs = times.reduce((a, b) => a + b, 0);
    return {
      samplesPerSecond: (o.steps * o.batch) / seconds,
      msPerRound: (seconds * 1000) / o.steps,
      medianRoundMs: times.sort((a, b) => a - b)[times.length >> 1] ?? NaN,
      // The coordinator's own work (dispatch, checks, aggregation, optimizer) as a part of round time.
      coordinatorMsPerRound: coordinatorMs / o.steps,
      coordinatorShare: coordinatorMs / roundMs,
      /**
       * CPU time of the coordinator's thread per timed round: its work without the time it waited
       * for a core. On two cores beside two busy workers, a woken worker often takes the core in the
       * middle of the coordinator's work, and the wall-clock figure above counts that wait.
       */
      coordinatorCpuMsPerRound: cpuAtStart !== undefined && cpuAtEnd !== undefined ? (cpuAtEnd - cpuAtStart) / o.steps : NaN,
    };
  });
}
