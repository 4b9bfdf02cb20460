import { runTraining } from '@shardgrad/coordinator';
import { withLocalFleet } from './local-fleet.ts';
import { WarmClock } from './warm-clock.ts';

export interface FleetRun {
  samplesPerSecond: number;
  msPerRound: number;
  medianRoundMs: number;
  /** Mean planned share of each worker (by nickname) over the measured rounds. */
  shares: Record<string, number>;
  /** Speed estimates (samples/s) at the end. */
  speeds: Record<string, number>;
  reassignedShards: number;
}

/**
 * Trains on a fleet of local `shardgrad worker` processes, one per entry of `workerArgs` (extra
 * flags such as --slowdown or --threads), and times `steps` rounds after `warmupSeconds` of rounds:
 * the JIT settles and the speed estimates converge before the clock starts. Each worker runs in a session of its own,
 * so that on a shared machine the kernel gives each its own share of the cores, as separate
 * machines would have.
 */
export async function runFleet(o: { model: string; batch: number; steps: number; warmupSeconds?: number; workerArgs: string[][] }): Promise<FleetRun> {
  const fleet = { workers: o.workerArgs.length, extraArgs: (i: number) => o.workerArgs[i] ?? [], ownSession: true };
  return withLocalFleet({ model: o.model, batch: o.batch, seed: 1 }, fleet, async (c) => {
    const times: number[] = [];
    const shareSums: Record<string, number> = {};
    let speeds: Record<string, number> = {};
    let reassigned = 0;
    let samples = 0;
    const clock = new WarmClock(o.steps, o.warmupSeconds);
    c.on('event', (e) => {
      if (e.type === 'round') clock.roundEnded(e.step);
      if (e.type === 'round' && clock.times(e.step)) {
        times.push(e.roundMs);
        reassigned += e.reassigned;
        samples += e.samples;
      }
      if (e.type === 'round' && clock.done) c.control.stop();
      if (e.type === 'workers' && clock.times(e.step)) {
        for (const w of e.workers) shareSums[w.nickname ?? w.id] = (shareSums[w.nickname ?? w.id] ?? 0) + w.share;
        speeds = Object.fromEntries(e.workers.map((w) => [w.nickname ?? w.id, w.samplesPerSecond]));
      }
    });
    await runTraining(c, { epochs: 1000, minWorkers: o.workerArgs.length });
    // Up to the last timed round's end: the final test-set evaluation is not training throughput.
    const seconds = clock.seconds;
    return {
      // Counted, not assumed: an epoch's last batch is short.
      samplesPerSecond: samples / seconds,
      msPerRound: (seconds * 1000) / o.steps,
      medianRoundMs: times.sort((a, b) => a - b)[times.length >> 1] ?? NaN,
      shares: Object.fromEntries(Object.entries(shareSums).map(([k, v]) => [k, v / o.steps])),
      speeds,
      reassignedShards: reassigned,
    };
  });
}
