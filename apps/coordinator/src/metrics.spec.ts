import { afterAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { AuthSettingsError } from './auth.ts';
import { createCoordinator } from './create-coordinator.ts';
import type { Coordinator } from './coordinator.ts';
import { nextEvent } from './next-event.ts';
import { runTraining } from './run-training.ts';

const TOKEN = 'metrics-7f3a9c1e5b2d8f04';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, strictly enough that a line it cannot read fails the test. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\w+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)",?/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(m[3]!.replace(/^\+?Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity'));
    if (Number.isNaN(value) && !/^nan$/i.test(m[3]!)) throw new Error(`not a sample value: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, types };
}

const pick = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const sum = (samples: Sample[]) => samples.reduce((t, s) => t + s.value, 0);

describe('GET /metrics', () => {
  let c: Coordinator;
  const workers: NodeWorkerHandle[] = [];
  afterAll(async () => {
    workers.forEach((w) => w.close());
    await c?.close();
  });

  const scrape = (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => fetch(`${c.url}/metrics`, { headers });
  const scrapeSamples = async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    return parseExposition(await res.text());
  };

  it('exposes the run and the workers that trained it, and forgets a worker that left', async () => {
    await initNodeBackend('wasm');
    c = await createCoordinator({ model: 'mnist-mlp', batch: 16, port: 0, metricsToken: TOKEN });
    workers.push(await startNodeWorker({ url: c.url, nickname: 'stays' }), await startNodeWorker({ url: c.url, nickname: 'leaves' }));
    const summary = await runTraining(c, { epochs: 1, maxSteps: 3, minWorkers: 2 });
    expect(summary.steps).toBe(3);

    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseExposition(await res.text());
    const one = (name: string, labels?: Record<string, string>) => {
      const found = pick(samples, name, labels);
      expect(found, `${name} ${JSON.stringify(labels ?? {})}`).toHaveLength(1);
      return found[0]!.value;
    };

    expect(types.get('shardgrad_rounds_total')).toBe('counter');
    expect(one('shardgrad_rounds_total')).toBe(summary.steps);
    expect(one('shardgrad_samples_trained_total')).toBe(summary.samples);
    expect(one('shardgrad_round_duration_seconds_count')).toBe(summary.steps);
    expect(one('shardgrad_step')).toBe(summary.steps);
    expect(one('shardgrad_global_batch_size')).toBe(16);
    expect(one('shardgrad_learning_rate')).toBe(c.config.state.optimizer.learningRate);
    expect(one('shardgrad_train_loss')).toBeGreaterThan(0);
    expect(one('shardgrad_evaluation_loss', { split: 'test' })).toBeCloseTo(summary.testLoss, 6);
    expect(one('shardgrad_evaluation_metric', { split: 'test', metric: 'accuracy' })).toBeCloseTo(summary.testAccuracy, 6);
    expect(one('shardgrad_run_info', { run_id: c.runId, model: 'mnist-mlp', dataset: c.config.datasetName })).toBe(1);
    expect(one('shardgrad_run_state', { state: 'finished' })).toBe(1);
    expect(sum(pick(samples, 'shardgrad_run_state'))).toBe(1);
    expect(one('shardgrad_runs_finished_total', { reason: 'completed' })).toBe(1);
    // The process's own figures, under prom-client's standard names.
    expect(types.get('process_resident_memory_bytes')).toBe('gauge');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');

    // Both workers, each under its own id; between them they computed every sample once.
    const [stays, leaves] = ['stays', 'leaves'].map((n) => c.pool.list().find((m) => m.nickname === n)!);
    expect(sum(pick(samples, 'shardgrad_workers_connected', { kind: 'node' }))).toBe(2);
    expect(one('shardgrad_worker_info', { worker_id: leaves!.id, nickname: 'leaves' })).toBe(1);
    expect(types.get('shardgrad_worker_samples_total')).toBe('counter');
    expect(sum(pick(samples, 'shardgrad_worker_samples_total'))).toBe(summary.samples);
    expect(one('shardgrad_worker_rounds_total', { worker_id: stays!.id })).toBe(stays!.rounds);
    expect(one('shardgrad_worker_samples_per_second', { worker_id: leaves!.id })).toBeGreaterThan(0);
    expect(sum(pick(samples, 'shardgrad_worker_batch_share_ratio'))).toBeCloseTo(1, 6);
    expect(sum(pick(samples, 'shardgrad_worker_joins_total', { kind: 'node' }))).toBe(2);

    const left = nextEvent(c, 'worker-left');
    workers[1]!.close();
    expect(await left).toMatchObject({ workerId: leaves!.id });
    const after = (await scrapeSamples()).samples;
    expect(sum(pick(after, 'shardgrad_workers_connected'))).toBe(1);
    expect(after.filter((s) => s.labels.worker_id === leaves!.id)).toEqual([]);
    expect(pick(after, 'shardgrad_worker_info', { worker_id: stays!.id })).toHaveLength(1);
    expect(sum(pick(after, 'shardgrad_worker_departures_total'))).toBe(1);
    // Counters keep what happened: the departed worker's rounds still count.
    expect(pick(after, 'shardgrad_rounds_total')[0]!.value).toBe(summary.steps);
  });

  it('answers 401 without the metrics token, or with another one', async () => {
    const bare = await scrape({});
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await bare.text()).not.toContain('shardgrad_');
    expect((await scrape({ authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await scrape({ authorization: TOKEN })).status).toBe(401);
    expect((await scrape()).status).toBe(200);
  });

  it('refuses a metrics token that guards nothing', () => {
    for (const weak of ['short', 'replace-me-metrics-token', 'x'.repeat(32)]) expect(() => c.metrics.requireToken(weak)).toThrow(AuthSettingsError);
  });
});
