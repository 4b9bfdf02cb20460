import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { maxAbsDiff } from '@shardgrad/backends/testing';
import { decodeTensors, encodeTensors, schemaHash } from '@shardgrad/codec';
import { epochOrder, type Dataset } from '@shardgrad/data';
import { loadDataset } from '@shardgrad/data/node';
import { getModel } from '@shardgrad/models';
import type { RunInfo } from '@shardgrad/protocol';
import { ShardComputer, allSpecs, readAll } from '@shardgrad/trainer';
import { createGradientEngine, type GradientEngine } from './gradient-engine.ts';

const def = getModel('mnist-mlp');
let dataset: Dataset;
let single: ShardComputer;
let run: RunInfo;
let weights: Uint8Array;
const engines: GradientEngine[] = [];

beforeAll(async () => {
  await initNodeBackend('wasm');
  dataset = await loadDataset('mnist');
  const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: 3, config: {} });
  run = { runId: 'r', model: def.name, modelConfig: {}, dataset: 'mnist', datasetOptions: {}, schemaHash: schemaHash(allSpecs(model)), batch: 64, seed: 3, maxPayloadBytes: 0 };
  single = new ShardComputer(def, dataset, model);
  let k = 0;
  weights = encodeTensors(readAll(model).map((t) => ({ ...t, data: t.data.map((v) => v + 0.01 * Math.cos(k++)) })));
  single.setWeights(decodeTensors(weights));
});

afterAll(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  await tf.setBackend('wasm');
});

describe('createGradientEngine with threads', () => {
  it.each([2, 3])('computes one slice in this thread and the rest in %i − 1 pool threads: the single-thread gradient', async (threads) => {
    const engine = await createGradientEngine(run, dataset, { threads });
    engines.push(engine);
    expect(engine).toMatchObject({ threads, backend: 'wasm' });
    await engine.setWeights(weights);
    // Odd sizes: unequal slices must be weighted by their counts; 2 samples on 3 threads leaves one idle.
    for (const n of [257, 2]) {
      const shard = epochOrder(dataset.train.n, 5, 0).slice(0, n);
      const want = single.compute(shard);
      const got = await engine.compute(shard);
      expect(got.count).toBe(n);
      expect(maxAbsDiff(got.grads, want.grads)).toBeLessThanOrEqual(1e-5);
      expect(got.loss).toBeCloseTo(want.loss, 5);
    }
    // New weights reach this thread and the pool's alike, though the step does not wait on the pool's.
    const moved = encodeTensors(decodeTensors(weights).map((t) => ({ ...t, data: t.data.map((v) => v * 0.8) })));
    await engine.setWeights(moved);
    const other = new ShardComputer(def, dataset, def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: 3, config: {} }));
    other.setWeights(decodeTensors(moved));
    const shard = epochOrder(dataset.train.n, 5, 1).slice(0, 99);
    expect(maxAbsDiff((await engine.compute(shard)).grads, other.compute(shard).grads)).toBeLessThanOrEqual(1e-5);
    other.model.dispose();
    await expect(engine.setWeights(Uint8Array.from([1, 2, 3]))).rejects.toThrow(/codec/);
    await expect(engine.compute(new Uint32Array(0))).rejects.toThrow(/empty shard/);
  });

  it('leaves every slice to the pool where this thread runs another backend', async () => {
    await tf.setBackend('cpu');
    try {
      const engine = await createGradientEngine(run, dataset, { threads: 2 });
      engines.push(engine);
      expect(engine).toMatchObject({ threads: 2, backend: 'wasm' });
      await engine.setWeights(weights);
      const shard = epochOrder(dataset.train.n, 5, 2).slice(0, 64);
      expect(maxAbsDiff((await engine.compute(shard)).grads, single.compute(shard).grads)).toBeLessThanOrEqual(1e-5);
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
