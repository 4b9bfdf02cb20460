import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { type Dataset, takeRows } from '@shardgrad/data';
import { rowTensors } from './shard-rows.ts';

/** 50 rows of 3×4 pixels, each value telling its row and position apart; 2 labels per row. */
function dataset(): Dataset {
  const n = 50;
  const x = Float32Array.from({ length: n * 12 }, (_, i) => Math.floor(i / 12) + (i % 12) / 100);
  const y = Float32Array.from({ length: n * 2 }, (_, i) => -Math.floor(i / 2) - (i % 2) / 10);
  return { name: 'rows', inputShape: [3, 4, 1], labelSize: 2, numClasses: 2, train: { x, y, n }, test: { x: new Float32Array(0), y: new Float32Array(0), n: 0 } };
}

const indices = [7, 0, 49, 7, 23];

afterAll(() => tf.setBackend('cpu'));

describe.each(['wasm', 'cpu'])('rowTensors on %s', (backend) => {
  it("gives takeRows' rows, in order, repeats included, as tensors of the dataset's shapes", async () => {
    await tf.setBackend(backend);
    const ds = dataset();
    const before = tf.memory().numTensors;
    const { x, y, n } = rowTensors(ds, ds.train, indices);
    const expected = takeRows(ds, ds.train, indices);
    expect(n).toBe(indices.length);
    expect(x.shape).toEqual([5, 3, 4, 1]);
    expect(y.shape).toEqual([5, 2]);
    expect([...x.dataSync()]).toEqual([...expected.x]);
    expect([...y.dataSync()]).toEqual([...expected.y]);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a row outside the split and leaves no tensor behind', async () => {
    await tf.setBackend(backend);
    const ds = dataset();
    const before = tf.memory().numTensors;
    expect(() => rowTensors(ds, ds.train, [1, 50])).toThrow(/row 50 is outside the split \(n = 50\)/);
    expect(() => rowTensors(ds, ds.train, [-1])).toThrow(/outside the split/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('rowTensors on wasm', () => {
  it('refuses a malformed split (rows of the wrong length) and frees the memory it took', async () => {
    await tf.setBackend('wasm');
    const ds = dataset();
    ds.train.x = ds.train.x.subarray(1);
    const before = tf.memory();
    expect(() => rowTensors(ds, ds.train, [0])).toThrow(/not a multiple of rowSize/);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
