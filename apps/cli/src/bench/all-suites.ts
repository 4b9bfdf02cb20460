import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { cpus, loadavg } from 'node:os';
import type { Output } from '../output.ts';
import { runBenchSuite } from './suites.ts';
import { throughputSuite, type ThroughputFigures } from './throughput-suite.ts';

/** One issue target: what was measured against it, and whether that meets it. */
export interface TargetRow {
  target: string;
  measured: string;
  met: boolean | null;
}

type SuiteRecord = Record<string, unknown>;

const x = (v: number | undefined | null) => (v == null || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)}×`);
const pct = (v: number | undefined) => (v == null || !Number.isFinite(v) ? 'n/a' : `${(100 * v).toFixed(1)}%`);
const atLeast = (v: number | undefined | null, t: number) => (v == null || !Number.isFinite(v) ? null : v >= t);
const atMost = (v: number | undefined | null, t: number) => (v == null || !Number.isFinite(v) ? null : v <= t);

/** The issues' targets, read from the records of one `bench --suite all` run. */
export function targetRows(r: {
  perCore: SuiteRecord;
  throughput64: ThroughputFigures;
  throughput256: ThroughputFigures;
  coordinator: SuiteRecord;
  heterogeneous: SuiteRecord;
  threads: SuiteRecord;
  timeToAccuracy: SuiteRecord;
}): TargetRow[] {
  const perCore = (r.perCore.rows as { model: string; ratio?: number | null }[]) ?? [];
  const rows: TargetRow[] = perCore.map((p) => ({ target: `per-core ${p.model} ≥ 1.0× PyTorch 1 thread (#10)`, measured: x(p.ratio), met: atLeast(p.ratio, 1) }));
  const two64 = r.throughput64.ratios.two_workers_over_one;
  const two256 = r.throughput256.ratios.two_workers_over_one;
  const coordinatorCpu = Number(r.throughput256.figures['2w_coordinator_cpu_share']);
  const floor = r.coordinator.floorShare as number | undefined;
  const tta = (r.timeToAccuracy.clusterOverFit ?? {}) as { processes?: number | null; threads?: number | null };
  const best = Math.min(...[tta.processes, tta.threads].filter((v): v is number => typeof v === 'number'));
  rows.push(
    { target: 'two workers ≥ 1.7× one, MLP batch 64 (#2)', measured: `${x(two64)} (ceiling ${x(r.throughput64.ratios.two_workers_over_one_ceiling)})`, met: atLeast(two64, 1.7) },
    { target: 'two workers ≥ 1.8× one, MLP batch 256, threads (#10)', measured: `${x(two256)} (ceiling ${x(r.throughput256.ratios.two_workers_over_one_ceiling)})`, met: atLeast(two256, 1.8) },
    { target: 'coordinator ≤ 5% of a round, MLP batch 256, 2 workers (#10)', measured: `${pct(coordinatorCpu)} (its stages alone: at least ${pct(floor)})`, met: atMost(coordinatorCpu, 0.05) },
    { target: 'time to 87% ≤ 0.6× model.fit, 2 workers (#10)', measured: `processes ${x(tta.processes)}, threads ${x(tta.threads)}`, met: atMost(Number.isFinite(best) ? best : null, 0.6) },
    { target: 'heterogeneous round ≤ 1.15× ideal (#3)', measured: x(r.heterogeneous.roundOverIdeal as number), met: atMost(r.heterogeneous.roundOverIdeal as number, 1.15) },
    { target: '--threads 2 ≥ 1.7× --threads 1 (#3)', measured: `${x(r.threads.clusterRatio as number)} (engine ${x(r.threads.computeRatio as number)})`, met: atLeast(r.threads.clusterRatio as number, 1.7) },
  );
  return rows;
}

/**
 * Every suite in turn, each with its defaults and its own JSON file, then the issues' targets
 * against what this run measured, in runs/bench/all.json (`out`). Takes about twenty minutes.
 */
export async function runAllSuites(out: Output, o: { slowdown: number; clients: number; out: string }): Promise<void> {
  const started = new Date().toISOString();
  const loadBefore = loadavg()[0]!;
  const suite = (name: Parameters<typeof runBenchSuite>[0]) => {
    out.say(`\n== ${name}`);
    return runBenchSuite(name, out, { model: 'mnist-mlp', slowdown: o.slowdown, clients: o.clients, out: `runs/bench/${name}.json` });
  };
  const perCore = await suite('per-core');
  out.say('\n== throughput (batch 64, worker processes)');
  const throughput64 = await throughputSuite(out, { model: 'mnist-mlp', batch: 64, steps: 300, localWorkers: 'processes', out: 'runs/bench/throughput-64.json' });
  out.say('\n== throughput (batch 256, worker threads)');
  const throughput256 = await throughputSuite(out, { model: 'mnist-mlp', batch: 256, steps: 1000, localWorkers: 'threads', out: 'runs/bench/throughput-256-threads.json' });
  const coordinator = await suite('coordinator');
  const heterogeneous = await suite('heterogeneous');
  const threads = await suite('threads');
  const timeToAccuracy = await suite('time-to-accuracy');
  const others: Record<string, SuiteRecord> = {};
  for (const name of ['ceiling', 'compression', 'clients', 'browser'] as const) others[name] = await suite(name);
  const targets = targetRows({ perCore, throughput64, throughput256, coordinator, heterogeneous, threads, timeToAccuracy });
  const load = [loadBefore, loadavg()[0]!];
  out.say(`\n== targets (1-min load average ${load.map((v) => v.toFixed(2)).join(' → ')} on ${cpus().length} cores)`);
  for (const t of targets) {
    out.event({ type: 'bench-target', ...t }, () => `${t.met === null ? '  ?' : t.met ? 'met' : ' no'}  ${t.target}: ${t.measured}`);
  }
  await mkdir(dirname(o.out), { recursive: true });
  await writeFile(
    o.out,
    JSON.stringify({ started, ended: new Date().toISOString(), loadAverage: load, targets, perCore, throughput64, throughput256, coordinator, heterogeneous, threads, timeToAccuracy, ...others }, null, 2),
  );
}
