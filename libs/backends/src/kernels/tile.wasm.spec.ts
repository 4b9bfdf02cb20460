import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { installWasmFastPaths } from './register.ts';
import { computeOn, seededTensor } from '../testing.ts';

// Tile (and broadcastTo, built on it) on wasm against cpu: exact, every dtype tfjs tiles.
describe('Tile on wasm as block copies', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    installWasmFastPaths();
  });

  const cases: Array<[string, () => tf.Tensor]> = [
    ['broadcast a per-channel vector to [64, 28, 28, 16]', () => tf.broadcastTo(seededTensor([1, 1, 1, 16], 1), [64, 28, 28, 16])],
    ['reps on every axis of a [2, 3, 4]', () => tf.tile(seededTensor([2, 3, 4], 2), [3, 2, 5])],
    ['repeat each row value along the last axis', () => tf.tile(seededTensor([5, 1], 3), [1, 7])],
    ['a middle axis only', () => tf.tile(seededTensor([2, 3, 2], 4), [1, 4, 1])],
    ['reps of 1 everywhere', () => tf.tile(seededTensor([3, 3], 5), [1, 1])],
    ['rank 5 with an odd rep', () => tf.tile(seededTensor([2, 1, 3, 1, 2], 6), [1, 3, 1, 5, 1])],
    ['int32', () => tf.tile(tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32'), [2, 3])],
    ['bool', () => tf.tile(tf.tensor1d([true, false, true], 'bool'), [4])],
    ['an empty axis', () => tf.tile(tf.zeros([0, 3]), [4, 2])],
  ];
  it.each(cases)('%s matches cpu exactly', async (_name, make) => {
    const want = await computeOn('cpu', () => [make()]);
    const got = await computeOn('wasm', () => [make()]);
    expect(Array.from(got[0]!)).toEqual(Array.from(want[0]!));
  });

  it('keeps shapes and dtypes, and leaks no tensors', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const t = tf.tile(tf.tensor2d([[1, 2]], undefined, 'int32'), [3, 2]);
      expect(t.shape).toEqual([3, 4]);
      expect(t.dtype).toBe('int32');
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
