import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentBySample, takeRows } from '@shardgrad/data';
import { loadMnist } from '@shardgrad/data/node';
import { mnistMlp } from '@shardgrad/models';
import { computeGradients } from './gradients.ts';
import { ShardComputer } from './shard-computer.ts';

const ROWS = [3, 1, 4, 1, 5, 9, 2, 6];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ShardComputer augments its rows in the worker', () => {
  it('computes the gradient of the per-sample augmented rows, so any split of a batch gives the same pixels', () => {
    const ds = loadMnist();
    const config = { augment: 'translate=2,rotate=10,noise=0.05' };
    const model = mnistMlp.build({ inputShape: ds.inputShape, numClasses: 10, seed: 3, config: {} });
    const computer = new ShardComputer(mnistMlp, ds, model, config);
    const got = computer.compute(ROWS, 77);
    const rows = takeRows(ds, ds.train, ROWS);
    const augmented = augmentBySample(rows.x, ds.inputShape, { translate: 2, rotate: 10, noise: 0.05 }, 77, ROWS);
    const [x, y] = [tf.tensor(augmented, [rows.n, 28, 28, 1]), tf.tensor(rows.y, [rows.n, 1])];
    const want = computeGradients(model, mnistMlp, x, y);
    tf.dispose([x, y]);
    expect(got.loss).toBe(want.loss);
    got.grads.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(want.grads[i]!.data)));
    // Another epoch's seed gives other variants, hence another gradient.
    expect(computer.compute(ROWS, 78).loss).not.toBe(got.loss);
    // And without augmentation the plain rows are used.
    const plain = new ShardComputer(mnistMlp, ds, model, {}).compute(ROWS, 77);
    expect(plain.loss).not.toBe(got.loss);
  });

  it('refuses a task without an augmentation seed when the run augments', () => {
    const ds = loadMnist();
    const model = mnistMlp.build({ inputShape: ds.inputShape, numClasses: 10, seed: 3, config: {} });
    expect(() => new ShardComputer(mnistMlp, ds, model, { augment: 'flip' }).compute(ROWS)).toThrow(/carries no augmentSeed/);
  });
});
