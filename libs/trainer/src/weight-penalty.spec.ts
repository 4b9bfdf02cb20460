import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { takeRows } from '@shardgrad/data';
import { loadMnist } from '@shardgrad/data/node';
import { mnistMlp } from '@shardgrad/models';
import { computeGradients } from './gradients.ts';
import { weightPenalty } from './weight-penalty.ts';

const ROWS = [3, 1, 4, 1, 5, 9, 2, 6];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function gradientsOf(config: Record<string, unknown>) {
  const ds = loadMnist();
  const model = mnistMlp.build({ inputShape: ds.inputShape, numClasses: 10, seed: 3, config });
  const rows = takeRows(ds, ds.train, ROWS);
  const [x, y] = [tf.tensor(rows.x, [rows.n, 28, 28, 1]), tf.tensor(rows.y, [rows.n, 1])];
  const g = computeGradients(model, mnistMlp, x, y);
  tf.dispose([x, y]);
  return { model, g };
}

describe('L1/L2 weight penalty in the shard gradient', () => {
  it('adds exactly 2·l2·W + l1·sign(W) to each kernel gradient, nothing to biases, and leaves the reported loss the data loss', () => {
    const plain = gradientsOf({});
    const before = tf.memory().numTensors;
    const pen = gradientsOf({ l1: 1e-3, l2: 1e-2 });
    // Same seed, same initial weights: the difference is the penalty's gradient alone.
    const weights = pen.model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
    expect(pen.g.loss).toBeCloseTo(plain.g.loss, 6);
    [0, 2].forEach((k) => {
      const w = weights[k]!;
      const diff = pen.g.grads[k]!.data.map((v, i) => v - plain.g.grads[k]!.data[i]!);
      const want = w.map((x) => 2 * 1e-2 * x + 1e-3 * Math.sign(x));
      let worst = 0;
      diff.forEach((d, i) => (worst = Math.max(worst, Math.abs(d - want[i]!))));
      expect(worst).toBeLessThan(1e-6);
    });
    [1, 3].forEach((b) => expect(Array.from(pen.g.grads[b]!.data)).toEqual(Array.from(plain.g.grads[b]!.data)));
    // Only the new model's variables remain (4 weights + their regularizers hold no tensors).
    expect(tf.memory().numTensors - before).toBe(pen.model.weights.length);
  });

  it('is null for a model without penalties', () => {
    expect(weightPenalty(gradientsOf({}).model)).toBeNull();
  });
});
