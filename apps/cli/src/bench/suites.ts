import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import type { Output } from '../output.ts';
import { heterogeneousBench } from './heterogeneous.ts';
import { threadsBench } from './threads.ts';
import { perCoreBench } from './per-core.ts';
import { timeToAccuracySuite } from './time-to-accuracy-suite.ts';
import { compressionSuite } from './compression-suite.ts';
import { parallelCeiling } from './parallel-ceiling.ts';
import { simulatedClientsBench } from './simulated-clients.ts';
import { coordinatorStages } from './coordinator-stages.ts';
import { browserBackendsBench } from './browser-backends.ts';

export const BENCH_SUITES = ['throughput', 'heterogeneous', 'threads', 'per-core', 'time-to-accuracy', 'compression', 'ceiling', 'clients', 'coordinator', 'browser', 'all'] as const;
export type BenchSuite = (typeof BENCH_SUITES)[number];
/** The suites that time a model given by --model (the others time fixed ones). */
export const MODEL_SUITES = ['throughput', 'heterogeneous', 'threads', 'compression', 'ceiling', 'clients', 'coordinator', 'browser'] as const satisfies readonly BenchSuite[];

/** Per suite, what a run measures unless --batch / --steps say otherwise: big enough shards that compute dominates. */
const SUITE_DEFAULTS: Record<Exclude<BenchSuite, 'throughput' | 'all'>, { batch: number; steps: number; warmupRounds?: number }> = {
  // The suites that time rounds warm up for WARMUP_SECONDS first (warm-clock.ts); the clients suite,
  // whose simulated tabs compute nothing, by rounds.
  // The peer's batch; the LSTM runs an eighth of the steps (it is ~50× slower per sample).
  'per-core': { batch: 64, steps: 80 },
  // A round also pays a fixed cost (apply, broadcast) that no split can share out; a big batch keeps
  // it small. 4250 is half of MNIST's 8,500 training digits: every round has a full batch.
  // With both cores busy a step here runs late in bursts (p90 +15%, p99 +50%, a second apart or
  // so: docs/benchmarks.md, session 14), so a timed window of 30 or 40 rounds (about a second)
  // drew its ratio from one or two bursts; 100–150 rounds span several.
  heterogeneous: { batch: 4250, steps: 100 },
  // Half of MNIST too: each thread's half is big enough that compute dominates the round.
  threads: { batch: 4250, steps: 150 },
  // Steps here are the evaluation cadence; the runs go until 87% or 10 epochs.
  'time-to-accuracy': { batch: 256, steps: 40 },
  // Steps here are the fixed training budget after which each encoding's test accuracy is taken.
  compression: { batch: 64, steps: 300 },
  // Steps here are the seconds each engine probe is timed; without --batch, the throughput, threads and heterogeneous batches.
  ceiling: { batch: 64, steps: 4 },
  // A classroom: every one of --clients simulated tabs gets a shard of the batch each round.
  clients: { batch: 256, steps: 10, warmupRounds: 5 },
  // The coordinator-cost target's batch; steps are the timed repetitions of a round's stages.
  coordinator: { batch: 256, steps: 2000 },
  // One chromium tab per backend, the only worker of its run: timed rounds after a few warm ones.
  browser: { batch: 256, steps: 100, warmupRounds: 20 },
};

const f0 = (v: number) => v.toFixed(0);
const f2 = (v: number) => v.toFixed(2);

/** The heterogeneous-fleet and worker-threads benchmarks; each prints its figures and its ratios. */
export async function runBenchSuite(
  suite: Exclude<BenchSuite, 'throughput' | 'all'>,
  out: Output,
  o: { model: string; batch?: number; steps?: number; slowdown: number; clients: number; out: string },
): Promise<Record<string, unknown>> {
  const d = SUITE_DEFAULTS[suite];
  const batch = o.batch ?? d.batch;
  const steps = o.steps ?? d.steps;
  const loadBefore = loadavg()[0]!;
  // Other processes share the cores: the load says how far the figures can be trusted.
  let record: Record<string, unknown>;
  if (suite === 'clients') {
    const r = await simulatedClientsBench({ clients: o.clients, model: o.model, batch: Math.max(batch, o.clients), rounds: steps, warmup: d.warmupRounds ?? 0 });
    out.event({ type: 'bench', suite, ...r }, () =>
      `${r.clients} simulated clients, ${r.model} batch ${r.batch}: ${f2(r.resultsPerRound)} results per round, a round every ${f0(r.msPerRound)} ms; ` +
        `the coordinator's own work ${f0(r.coordinatorMsPerRound)} ms per round (${f2(r.coordinatorMsPerRound / r.resultsPerRound)} ms per result); ` +
        `coordinator process rss ${f0(r.memory.rssMB)} MB, heap ${f0(r.memory.heapUsedMB)} MB; event-loop lag p50 ${f0(r.eventLoopLagMs.p50)} ms, p99 ${f0(r.eventLoopLagMs.p99)} ms`,
    );
    record = { suite, ...r };
  } else if (suite === 'browser') {
    const rows = await browserBackendsBench({ model: o.model, batch, steps, warmupRounds: d.warmupRounds ?? 0 });
    for (const r of rows) {
      out.event({ type: 'bench', suite, model: o.model, batch, ...r }, () =>
        `chromium tab on ${r.backend}: ` +
          (r.trained
            ? `${f0(r.trainingSamplesPerSecond!)} samples/s in rounds at batch ${batch}, computing at ${f0(r.computeSamplesPerSecond ?? NaN)} (calibration ${f0(r.calibrationSamplesPerSecond ?? NaN)} samples/s, ` +
              `gradient ${(r.relativeError ?? NaN).toExponential(1)} from cpu's${r.threads ? `, ${r.threads} wasm threads` : ''})`
            : `did not train: ${r.reason}`),
      );
    }
    out.say(`1-min load average ${[loadBefore, loadavg()[0]!].map(f2).join(' → ')} on ${cpus().length} cores (SwiftShader runs WebGL and WebGPU on these CPUs)`);
    record = { suite, model: o.model, batch, steps, rows };
  } else if (suite === 'coordinator') {
    const r = await coordinatorStages(o.model, batch, steps);
    const s = r.stagesUs;
    out.event({ type: 'bench', suite, ...r }, () =>
      `${r.model}, ${r.parameters} parameters, batch ${r.batch}, ${r.workers} results a round, each stage alone in one thread (median µs): ` +
        `validate ${f0(s.validatePerResult)} per result, mean ${f0(s.mean)}, noise scale ${f0(s.noiseScale)}, optimizer ${f0(s.optimizer)}, encode weights ${f0(s.encodeWeights)}\n` +
        `floor ${f0(r.floorUs)} µs a round, with messaging free; engines' half batch beside each other ${f2(r.halfBatchPairMs)} ms → ` +
        `the coordinator takes at least ${(100 * r.floorShare).toFixed(1)}% of a two-worker round here (target ≤ 5%)`,
    );
    record = { suite, ...r };
  } else if (suite === 'ceiling') {
    const rows = [];
    for (const b of o.batch ? [o.batch] : [...new Set([64, 256, SUITE_DEFAULTS.threads.batch, SUITE_DEFAULTS.heterogeneous.batch])]) {
      const r = await parallelCeiling(o.model, b, steps);
      rows.push(r);
      out.event({ type: 'bench', suite, ...r }, () =>
        `batch ${b}: one engine ${f2(r.wholeMs)} ms; half alone ${f2(r.halfMs)} ms (${f2(r.fixedCostCeiling)}×), ` +
          `half beside a second engine ${f2(r.pairMs)} ms → two workers at most ${f2(r.ceiling)}× one`,
      );
    }
    out.say(`targets: two workers ≥ 1.7× one at batch 64 (#2), ≥ 1.8× (#10), --threads 2 ≥ 1.7× --threads 1 (#3)`);
    record = { suite, seconds: steps, rows };
  } else if (suite === 'compression') {
    record = await compressionSuite(out, { model: o.model, batch, steps });
  } else if (suite === 'time-to-accuracy') {
    record = await timeToAccuracySuite(out, { batch, evaluateEvery: steps });
  } else if (suite === 'per-core') {
    const rows = await perCoreBench(batch, steps);
    const load = [loadBefore, loadavg()[0]!];
    for (const r of rows) {
      out.event({ type: 'bench', suite, batch, ...r, loadAverage: load }, () =>
        `${r.model}: shardgrad wasm worker ${f0(r.ours)} samples/s, PyTorch 1 thread ${r.torch ? f0(r.torch) : 'n/a'} → ${r.ratio ? f2(r.ratio) : 'n/a'}× (target ≥ 1.0×); ` +
          `best of ${r.oursRounds.length} alternations, each round's ratio ${r.roundRatios.length ? r.roundRatios.map((x) => `${f2(x)}×`).join(', ') : 'n/a'}`,
      );
    }
    out.say(`1-min load average ${load.map(f2).join(' → ')} on ${cpus().length} cores`);
    record = { suite, batch, steps, loadAverage: load, rows };
  } else if (suite === 'heterogeneous') {
    const r = await heterogeneousBench({ model: o.model, batch, steps, slowdown: o.slowdown });
    for (const [name, run] of [['fast alone', r.fastAlone], [`slowed ${o.slowdown}× alone`, r.slowAlone], ['both', r.fleet]] as const) {
      out.event({ type: 'bench', suite, config: name, batch, ...run }, () => `${name}: ${f0(run.samplesPerSecond)} samples/s, ${f0(run.msPerRound)} ms/round`);
    }
    const load = [loadBefore, loadavg()[0]!];
    const ratios = {
      round_over_ideal: r.roundOverIdeal,
      median_round_over_ideal: r.fleet.medianRoundMs / r.idealRoundMs,
      round_over_in_fleet_ideal: r.roundMs / r.inFleetIdealRoundMs,
      slow_share: r.slowShare,
      ideal_slow_share: r.idealSlowShare,
    };
    out.event({ type: 'bench-ratios', suite, idealRoundMs: r.idealRoundMs, roundMs: r.roundMs, loadAverage: load, ...ratios }, () =>
      `round ${f0(r.roundMs)} ms vs ideal ${f0(r.idealRoundMs)} ms (batch ÷ summed solo throughput): ${f2(r.roundOverIdeal)}× ` +
      `(target ≤ 1.15×); median round ${f2(ratios.median_round_over_ideal)}×\n` +
      `against the speeds measured with both running (${f0(r.inFleetIdealRoundMs)} ms): ${f2(ratios.round_over_in_fleet_ideal)}×\nslowed worker's share ${f2(r.slowShare)} (by solo throughputs: ${f2(r.idealSlowShare)}); ` +
      `${r.fleet.reassignedShards} shards reassigned; 1-min load average ${load.map(f2).join(' → ')} on ${cpus().length} cores`,
    );
    record = { suite, batch, steps, slowdown: o.slowdown, loadAverage: load, ...r };
  } else {
    const r = await threadsBench({ model: o.model, batch, steps });
    const load = [loadBefore, loadavg()[0]!];
    for (const t of ['1', '2'] as const) {
      out.event({ type: 'bench', suite, threads: Number(t), batch, engine: r.compute[t], ...r.cluster[t] }, () =>
        `--threads ${t}: engine ${f0(r.compute[t].samplesPerSecond)} samples/s (${f0(r.compute[t].samplesPerCpuSecond)} per CPU-second); ` +
        `one-worker cluster ${f0(r.cluster[t].samplesPerSecond)} samples/s (${f0(r.cluster[t].msPerRound)} ms/round)`,
      );
    }
    const ratios = { threads2_over_threads1_compute: r.computeRatio, threads2_over_threads1_cluster: r.clusterRatio, cpu_efficiency: r.cpuEfficiency };
    out.event({ type: 'bench-ratios', suite, ...ratios, loadAverage: load }, () =>
      `--threads 2 / --threads 1: engine ${f2(r.computeRatio)}×, cluster ${f2(r.clusterRatio)}× (target ≥ 1.7×); ` +
      `CPU per sample 1 thread / 2 threads: ${f2(r.cpuEfficiency)} (on two idle cores ≈ ${f2(2 * r.cpuEfficiency)}×); ` +
      `1-min load average ${load.map(f2).join(' → ')} on ${cpus().length} cores`,
    );
    record = { suite, batch, steps, loadAverage: load, ...r };
  }
  await mkdir(dirname(o.out), { recursive: true });
  await writeFile(o.out, JSON.stringify({ date: new Date().toISOString(), ...record }, null, 2));
  return record;
}
