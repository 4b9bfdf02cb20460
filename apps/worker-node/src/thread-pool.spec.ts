import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { maxAbsDiff } from '@shardgrad/backends/testing';
import { decodeTensors, encodeTensors, schemaHash } from '@shardgrad/codec';
import { epochOrder, type Dataset } from '@shardgrad/data';
import { loadDataset } from '@shardgrad/data/node';
import { getModel } from '@shardgrad/models';
import { ShardComputer, allSpecs, readAll } from '@shardgrad/trainer';
import { ThreadPool } from './thread-pool.ts';

const SEED = 7;
const def = getModel('mnist-mlp');
let dataset: Dataset;
let single: ShardComputer;
let hash: string;
/** Weights away from the initialisation, so the check covers more than one point of the loss. */
let weights: Uint8Array;
let pools: ThreadPool[] = [];

const start = async (threads: number, extra: Partial<Parameters<typeof ThreadPool.start>[0]> = {}) => {
  const p = await ThreadPool.start({ threads, model: def.name, seed: SEED, dataset, schemaHash: hash, ...extra });
  pools.push(p);
  return p;
};

beforeAll(async () => {
  await initNodeBackend('wasm');
  dataset = await loadDataset('mnist');
  const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: SEED, config: {} });
  hash = schemaHash(allSpecs(model));
  single = new ShardComputer(def, dataset, model);
  let k = 0;
  weights = encodeTensors(readAll(model).map((t) => ({ ...t, data: t.data.map((v) => v + 0.01 * Math.sin(k++)) })));
  single.setWeights(decodeTensors(weights));
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

describe('ThreadPool', () => {
  it('drops the units a single thread drops, where the task seeds the masks: dropout stays exact across threads', async () => {
    const modelConfig = { dropout: 0.3 };
    const pool = await start(2, { modelConfig });
    await pool.setWeights(weights);
    const withDropout = new ShardComputer(def, dataset, def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: SEED, config: modelConfig }), modelConfig);
    withDropout.setWeights(decodeTensors(weights));
    const shard = epochOrder(dataset.train.n, 3, 1).slice(0, 101);
    const want = withDropout.compute(shard, undefined, 123);
    expect(maxAbsDiff((await pool.compute(shard, undefined, 123)).grads, want.grads)).toBeLessThanOrEqual(1e-5);
    // The masks are there (another round's seed drops other units), and the same seed gives the same masks.
    expect(maxAbsDiff(withDropout.compute(shard, undefined, 124).grads, want.grads)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(withDropout.compute(shard, undefined, 123).grads, want.grads)).toBe(0);
    withDropout.model.dispose();
  });

  it('gives with 2 threads the gradient a single thread gives on the same shard', async () => {
    const pool = await start(2);
    expect(pool.size).toBe(2);
    expect(pool.backend).toBe('wasm');
    await pool.setWeights(weights);
    // An odd shard size: the threads get unequal slices, so the combination must weight by count.
    const shard = epochOrder(dataset.train.n, 3, 0).slice(0, 257);
    const want = single.compute(shard);
    const got = await pool.compute(shard);
    expect(got.count).toBe(257);
    expect(maxAbsDiff(got.grads, want.grads)).toBeLessThanOrEqual(1e-5);
    expect(got.loss).toBeCloseTo(want.loss, 5);
    expect(got.metrics.accuracy).toBeCloseTo(want.metrics.accuracy!, 6);
    expect(got.state).toEqual([]);

    // Next version's weights reach every thread, and a shard smaller than the pool still works.
    const moved = encodeTensors(readAll(single.model).map((t) => ({ ...t, data: t.data.map((v) => v * 0.9) })));
    await pool.setWeights(moved);
    single.setWeights(decodeTensors(moved));
    const one = epochOrder(dataset.train.n, 3, 1).slice(0, 1);
    expect(maxAbsDiff((await pool.compute(one)).grads, single.compute(one).grads)).toBeLessThanOrEqual(1e-5);
    single.setWeights(decodeTensors(weights));
  });

  it('a 1-thread pool matches the in-process computer too', async () => {
    const pool = await start(1);
    await pool.setWeights(weights);
    const shard = epochOrder(dataset.train.n, 4, 0).slice(0, 64);
    expect(maxAbsDiff((await pool.compute(shard)).grads, single.compute(shard).grads)).toBeLessThanOrEqual(1e-6);
  });

  it('refuses bad input with a clear error and keeps working', async () => {
    const pool = await start(2);
    await pool.setWeights(weights);
    await expect(pool.compute(new Uint32Array(0))).rejects.toThrow(/empty shard/);
    await expect(pool.compute(Uint32Array.from([1, 2, dataset.train.n + 5]))).rejects.toThrow(/outside the split/);
    await expect(pool.setWeights(Uint8Array.from([1, 2, 3]))).rejects.toThrow(/codec/);
    const shard = Uint32Array.from([0, 1, 2, 3]);
    expect(maxAbsDiff((await pool.compute(shard)).grads, single.compute(shard).grads)).toBeLessThanOrEqual(1e-5);
  });

  it('refuses to start with a bad thread count, an unknown model or another schema', async () => {
    await expect(ThreadPool.start({ threads: 0, model: def.name, seed: SEED, dataset })).rejects.toThrow(/threads must be/);
    await expect(start(1, { model: 'no-such-model' })).rejects.toThrow(/unknown model "no-such-model"/);
    await expect(start(1, { schemaHash: 'deadbeef' })).rejects.toThrow(/differs from the run's deadbeef/);
  });

  it('refuses calls once closed, with a clear error', async () => {
    const pool = await start(1);
    await pool.close();
    await expect(pool.compute(Uint32Array.from([0]))).rejects.toThrow(/closed/);
  });
});
