import { runFleet, type FleetRun } from './fleet-run.ts';

export interface HeterogeneousFigures {
  fastAlone: FleetRun;
  slowAlone: FleetRun;
  fleet: FleetRun;
  /** Global batch ÷ the two workers' summed solo throughput: the round time a perfect split would give. */
  idealRoundMs: number;
  /** The pair's round time, as batch ÷ its throughput (so an epoch's short last batch weighs the same everywhere). */
  roundMs: number;
  roundOverIdeal: number;
  /**
   * Batch ÷ the speeds the coordinator measured with both running: on a machine whose cores the
   * workers share, each computes slower beside the other than alone, which no split can undo.
   */
  inFleetIdealRoundMs: number;
  slowShare: number;
  /** The share a split by solo throughput would give the slow worker. */
  idealSlowShare: number;
}

/**
 * Two local workers, one slowed by `slowdown`: each alone (its throughput in real rounds), then
 * together. A speed-proportional split should make the pair's round time the batch over their
 * summed throughput; the ratio says how close the coordinator gets.
 */
export async function heterogeneousBench(o: { model: string; batch: number; steps: number; warmupSeconds?: number; slowdown: number }): Promise<HeterogeneousFigures> {
  const slowArgs = ['--slowdown', String(o.slowdown)];
  const run = (workerArgs: string[][]) => runFleet({ model: o.model, batch: o.batch, steps: o.steps, warmupSeconds: o.warmupSeconds, workerArgs });
  const fastAlone = await run([[]]);
  const slowAlone = await run([slowArgs]);
  const fleet = await run([[], slowArgs]);
  const summed = fastAlone.samplesPerSecond + slowAlone.samplesPerSecond;
  const idealRoundMs = (o.batch / summed) * 1000;
  const roundMs = (o.batch / fleet.samplesPerSecond) * 1000;
  const inFleet = Object.values(fleet.speeds).reduce((a, b) => a + b, 0);
  return {
    fastAlone,
    slowAlone,
    fleet,
    idealRoundMs,
    roundMs,
    roundOverIdeal: roundMs / idealRoundMs,
    inFleetIdealRoundMs: (o.batch / inFleet) * 1000,
    slowShare: fleet.shares['local-2'] ?? NaN,
    idealSlowShare: slowAlone.samplesPerSecond / summed,
  };
}
