import { cpus, loadavg } from 'node:os';
import type { Output } from '../output.ts';
import { clusterTimeToAccuracy, fitTimeToAccuracy, type TimeToAccuracy, type TimeToAccuracyOptions } from './time-to-accuracy.ts';

/** Issue 10's target: the cluster with 2 workers needs at most this part of model.fit's time. */
const TARGET_RATIO = 0.6;

/**
 * Time to 87% test accuracy on Fashion-MNIST: two local workers (as processes, then as threads)
 * against tfjs's model.fit in one process, same model, batch, optimizer, learning rate and backend (wasm). Evaluations are off the
 * clock on both sides.
 */
export async function timeToAccuracySuite(out: Output, o: { batch: number; evaluateEvery: number }): Promise<Record<string, unknown>> {
  const base: TimeToAccuracyOptions = {
    model: 'mnist-mlp',
    dataset: 'fashion-mnist',
    batch: o.batch,
    learningRate: 0.001,
    target: 0.87,
    evaluateEvery: o.evaluateEvery,
    maxEpochs: 10,
    workers: 2,
    seed: 1,
  };
  const loadBefore = loadavg()[0]!;
  const fit = await fitTimeToAccuracy(base);
  // Both ways `shardgrad train` runs local workers: processes over sockets, threads over ports.
  const clusters = { processes: await clusterTimeToAccuracy(base, 'processes'), threads: await clusterTimeToAccuracy(base, 'threads') };
  const load = [loadBefore, loadavg()[0]!];
  const say = (name: string, r: TimeToAccuracy) =>
    r.seconds === null
      ? `${name}: never reached ${base.target} (best ${r.bestAccuracy.toFixed(4)})`
      : `${name}: ${base.target} after ${r.steps} steps, ${r.seconds.toFixed(1)} s of training`;
  out.event({ type: 'bench', suite: 'time-to-accuracy', config: 'model.fit', ...base, ...fit }, () => say('tfjs model.fit, 1 process', fit));
  const ratios: Record<string, number | null> = {};
  for (const [as, r] of Object.entries(clusters)) {
    out.event({ type: 'bench', suite: 'time-to-accuracy', config: 'cluster', localWorkers: as, ...base, ...r }, () => say(`shardgrad, ${base.workers} workers as ${as}`, r));
    ratios[as] = fit.seconds && r.seconds ? r.seconds / fit.seconds : null;
  }
  const shown = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)}×`);
  out.event({ type: 'bench-ratios', suite: 'time-to-accuracy', cluster_over_fit: ratios, loadAverage: load }, () =>
    `cluster / model.fit time to ${base.target}: ${shown(ratios.processes!)} with worker processes, ${shown(ratios.threads!)} with worker threads (target ≤ ${TARGET_RATIO}×); ` +
      `1-min load average ${load.map((v) => v.toFixed(2)).join(' → ')} on ${cpus().length} cores`,
  );
  return { suite: 'time-to-accuracy', ...base, loadAverage: load, fit, clusters, clusterOverFit: ratios };
}
