import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { takeRows } from '@shardgrad/data';
import { loadMnist } from '@shardgrad/data/node';
import { mnistMlp } from '@shardgrad/models';
import { computeGradients, computeGradientsAsync } from './gradients.ts';
import { ShardComputer } from './shard-computer.ts';

describe('asynchronous gradient reads (the WebGPU path)', () => {
  // On wasm the synchronous read copies each gradient out of the module's memory; the asynchronous
  // one reads a concatenation, so the two layouts are checked against each other there.
  it.each(['cpu', 'wasm'])('gives exactly the synchronous result and leaves no tensor behind on %s', async (backend) => {
    await tf.setBackend(backend);
    const ds = loadMnist();
    const model = mnistMlp.build({ inputShape: ds.inputShape, numClasses: ds.numClasses, seed: 5, config: {} });
    const rows = takeRows(ds, ds.train, [3, 1, 4, 1, 5, 9, 2, 6]);
    const x = tf.tensor(rows.x, [rows.n, ...ds.inputShape]);
    const y = tf.tensor(rows.y, [rows.n, 1]);
    const before = tf.memory().numTensors;
    const sync = computeGradients(model, mnistMlp, x, y);
    const async = await computeGradientsAsync(model, mnistMlp, x, y);
    expect(tf.memory().numTensors).toBe(before);
    expect(async.loss).toBe(sync.loss);
    expect(async.metrics).toEqual(sync.metrics);
    expect(async.grads.map((t) => t.shape)).toEqual(sync.grads.map((t) => t.shape));
    async.grads.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(sync.grads[i]!.data)));
    expect(async.state).toEqual(sync.state);

    const computer = new ShardComputer(mnistMlp, ds, model);
    const a = await computer.computeAsync([3, 1, 4, 1, 5, 9, 2, 6]);
    expect(a.count).toBe(8);
    expect(a.loss).toBe(sync.loss);
    x.dispose();
    y.dispose();
    model.dispose();
  });
});
