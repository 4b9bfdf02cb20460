import { openBenchEngine } from './bench-engine.ts';
import { runFleet, type FleetRun } from './fleet-run.ts';
import { WARMUP_SECONDS, warmFor } from './warm-clock.ts';

export interface EngineFigures {
  /** Samples per second of wall time. */
  samplesPerSecond: number;
  /** Samples per second of CPU time, all threads together: what the engine costs, whatever else runs. */
  samplesPerCpuSecond: number;
}

export interface ThreadsFigures {
  /** The worker's own gradient throughput with 1 and 2 compute threads, no network. */
  compute: Record<'1' | '2', EngineFigures>;
  /** A coordinator and one `shardgrad worker --threads N`: real rounds, network and apply included. */
  cluster: Record<'1' | '2', FleetRun>;
  computeRatio: number;
  clusterRatio: number;
  /**
   * CPU cost per sample with 1 thread over that with 2: 1 means threads add no work, so on two idle
   * cores 2 threads would give 2 × this the throughput. Meaningful where the cores are shared.
   */
  cpuEfficiency: number;
}

/** Shard gradients per second of the engine a `shardgrad worker --threads N` builds. */
async function engineThroughput(model: string, batch: number, threads: number, reps: number, warmupSeconds: number): Promise<EngineFigures> {
  const { engine, compute } = await openBenchEngine(model, batch, threads);
  try {
    const warm = await warmFor(warmupSeconds, compute);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let k = warm; k < warm + reps; k++) await compute(k);
    const cpu = process.cpuUsage(cpu0);
    const samples = reps * batch;
    return { samplesPerSecond: samples / ((performance.now() - t0) / 1000), samplesPerCpuSecond: samples / ((cpu.user + cpu.system) / 1e6) };
  } finally {
    await engine.close();
  }
}

/** `--threads 2` against `--threads 1`: the engine alone, then a real one-worker cluster. */
export async function threadsBench(o: { model: string; batch: number; steps: number; warmupSeconds?: number }): Promise<ThreadsFigures> {
  const warmupSeconds = o.warmupSeconds ?? WARMUP_SECONDS;
  const compute = { '1': await engineThroughput(o.model, o.batch, 1, o.steps, warmupSeconds), '2': await engineThroughput(o.model, o.batch, 2, o.steps, warmupSeconds) };
  const run = (threads: number) => runFleet({ model: o.model, batch: o.batch, steps: o.steps, warmupSeconds, workerArgs: [['--threads', String(threads)]] });
  const cluster = { '1': await run(1), '2': await run(2) };
  return {
    compute,
    cluster,
    computeRatio: compute['2'].samplesPerSecond / compute['1'].samplesPerSecond,
    clusterRatio: cluster['2'].samplesPerSecond / cluster['1'].samplesPerSecond,
    cpuEfficiency: compute['2'].samplesPerCpuSecond / compute['1'].samplesPerCpuSecond,
  };
}
