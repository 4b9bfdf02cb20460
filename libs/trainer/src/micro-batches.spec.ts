import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '@shardgrad/data/node';
import { mnistMlp } from '@shardgrad/models';
import { relativeError } from '@shardgrad/backends/testing';
import { combinePasses, microBatchSizes, type CountedGradients } from './micro-batches.ts';
import { ShardComputer } from './shard-computer.ts';

const ROWS = [3, 1, 4, 1, 5, 9, 2, 6, 53, 58];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const flat = (g: CountedGradients) => Float32Array.from(g.grads.flatMap((t) => Array.from(t.data)));

/** Records the batch size of every pass through the model. */
function countPasses(model: tf.LayersModel): number[] {
  const sizes: number[] = [];
  const apply = model.apply.bind(model);
  model.apply = ((x: tf.Tensor, kwargs?: tf.serialization.ConfigDict) => {
    sizes.push(x.shape[0]!);
    return apply(x, kwargs);
  }) as typeof model.apply;
  return sizes;
}

describe('microBatchSizes', () => {
  it('cuts a shard into the fewest, most equal passes that fit', () => {
    expect(microBatchSizes(10, 4)).toEqual([4, 3, 3]);
    expect(microBatchSizes(4096, 635)).toEqual([586, 585, 585, 585, 585, 585, 585]);
    expect(microBatchSizes(8, 8)).toEqual([8]);
    expect(microBatchSizes(8, 0)).toEqual([8]);
    expect(microBatchSizes(1, 1)).toEqual([1]);
    for (const [n, max] of [[1000, 7], [999, 1000], [17, 16], [5, 1]] as const) {
      const sizes = microBatchSizes(n, max);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(max);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(sizes.length).toBe(Math.ceil(n / max));
    }
  });
});

describe('combinePasses', () => {
  it("weights each pass's gradient, loss and metrics by its samples and keeps the last state", () => {
    const pass = (count: number, g: number[], loss: number, acc: number, state: number): CountedGradients => ({
      count,
      grads: [{ shape: [g.length], dtype: 'float32', data: Float32Array.from(g) }],
      state: [{ shape: [1], dtype: 'float32', data: Float32Array.of(state) }],
      loss,
      metrics: { acc },
    });
    const a = pass(3, [1, -2], 0.5, 1, 7);
    const b = pass(1, [5, 2], 1.5, 0, 8);
    const c = combinePasses([a, b]);
    expect(c.count).toBe(4);
    expect(Array.from(c.grads[0]!.data)).toEqual([(3 * 1 + 5) / 4, (3 * -2 + 2) / 4]);
    expect(c.loss).toBeCloseTo((3 * 0.5 + 1.5) / 4, 12);
    expect(c.metrics.acc).toBeCloseTo(0.75, 12);
    expect(c.state[0]!.data[0]).toBe(8);
    expect(combinePasses([a])).toBe(a);
  });
});

describe('ShardComputer with microBatch', () => {
  it('gives the gradient of the whole shard, in passes of at most microBatch samples', () => {
    const ds = loadMnist();
    const model = mnistMlp.build({ inputShape: ds.inputShape, numClasses: 10, seed: 3, config: {} });
    const whole = new ShardComputer(mnistMlp, ds, model, {}).compute(ROWS);
    const passes = countPasses(model);
    const split = new ShardComputer(mnistMlp, ds, model, { microBatch: 4 }).compute(ROWS);
    expect(passes).toEqual([4, 3, 3]);
    expect(split.count).toBe(ROWS.length);
    expect(relativeError(flat(split), flat(whole))).toBeLessThan(1e-5);
    expect(split.loss).toBeCloseTo(whole.loss, 5);
  });

  it('augments each sample as a whole-shard pass would (seeded by sample index)', () => {
    const ds = loadMnist();
    const model = mnistMlp.build({ inputShape: ds.inputShape, numClasses: 10, seed: 3, config: {} });
    const augment = 'translate=2,rotate=10,noise=0.05';
    const whole = new ShardComputer(mnistMlp, ds, model, { augment }).compute(ROWS, 11);
    const split = new ShardComputer(mnistMlp, ds, model, { augment, microBatch: 3 }).compute(ROWS, 11);
    expect(relativeError(flat(split), flat(whole))).toBeLessThan(1e-5);
  });

  it('with batch norm: each pass normalizes its own samples and the statistics move on pass after pass', () => {
    const ds = loadMnist();
    const config = { batchNorm: true };
    const build = () => mnistMlp.build({ inputShape: ds.inputShape, numClasses: 10, seed: 3, config });
    const chunked = new ShardComputer(mnistMlp, ds, build(), { ...config, microBatch: 5 }).compute(ROWS);
    // The same passes one by one, on a model of the same weights and statistics.
    const oneByOne = new ShardComputer(mnistMlp, ds, build(), config);
    const first = oneByOne.compute(ROWS.slice(0, 5));
    const second = oneByOne.compute(ROWS.slice(5));
    const want = combinePasses([first, second]);
    expect(Array.from(flat(chunked))).toEqual(Array.from(flat(want)));
    expect(chunked.state.map((t) => Array.from(t.data))).toEqual(second.state.map((t) => Array.from(t.data)));
    // Statistics of halves differ from the whole's, so this is not the whole-shard gradient.
    const whole = new ShardComputer(mnistMlp, ds, build(), config).compute(ROWS);
    expect(relativeError(flat(chunked), flat(whole))).toBeGreaterThan(1e-4);
  });

  it('computeAsync cuts the shard the same way and agrees with compute', async () => {
    const ds = loadMnist();
    const model = mnistMlp.build({ inputShape: ds.inputShape, numClasses: 10, seed: 3, config: {} });
    const computer = new ShardComputer(mnistMlp, ds, model, { microBatch: 4 });
    const sync = computer.compute(ROWS);
    const passes = countPasses(model);
    const async_ = await computer.computeAsync(ROWS);
    expect(passes).toEqual([4, 3, 3]);
    expect(Array.from(flat(async_))).toEqual(Array.from(flat(sync)));
    expect(async_.count).toBe(ROWS.length);
  });
});
