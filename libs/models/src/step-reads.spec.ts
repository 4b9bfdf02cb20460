import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readAndDispose, readAsync, readSync, type Reads } from './step-reads.ts';

/** Reads two tensors it makes, one after the other, and sums what it read. */
function* sumOfTwoReads(): Reads<number> {
  const a = yield* readAndDispose(tf.tensor1d([1, 2, 3]));
  const b = yield* readAndDispose(tf.tensor1d([a[2]! * 10]));
  return a[0]! + a[1]! + b[0]!;
}

describe('reads written once, answered synchronously or asynchronously', () => {
  it('give the same result either way and leave no tensor behind', async () => {
    const before = tf.memory().numTensors;
    expect(readSync(sumOfTwoReads())).toBe(33);
    expect(await readAsync(sumOfTwoReads())).toBe(33);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('hand a failed read into the code, whose cleanup runs, and rethrow it', async () => {
    const broken = () => {
      const t = tf.tensor1d([1]);
      t.dispose();
      return t;
    };
    for (const read of [readSync, readAsync] as const) {
      const kept = tf.tensor1d([4]);
      function* step(): Reads<number> {
        try {
          return (yield broken())[0]!;
        } finally {
          kept.dispose();
        }
      }
      await expect(Promise.resolve().then(() => read(step()))).rejects.toThrow(/disposed/);
      expect(kept.isDisposed).toBe(true);
    }
  });
});
