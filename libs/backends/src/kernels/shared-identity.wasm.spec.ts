import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { installWasmFastPaths } from './register.ts';

// Identity shares its input's data on wasm: a clone must stay valid and unchanged through
// everything that happens to the original, and memory must be freed once both are gone.
describe('Identity on wasm shares data', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    installWasmFastPaths();
  });

  it('gives a clone with the same values and no new buffer', () => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const bytesBefore = tf.memory().numBytes;
    const y = tf.clone(x);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    const backend = tf.backend() as BackendWasm;
    expect(backend.refCount(x.dataId)).toBe(2);
    expect(tf.memory().numBytes).toBe(bytesBefore + 16);
    tf.dispose([x, y]);
  });

  it('keeps the clone valid after the original is disposed, and frees the data after both', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([5, 6, 7]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([5, 6, 7]);
    const backend = tf.backend() as BackendWasm;
    expect(backend.refCount(y.dataId)).toBe(1);
    y.dispose();
    expect(backend.refCount(y.dataId)).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves a clone of a variable unchanged when the variable is assigned', () => {
    const v = tf.variable(tf.tensor1d([1, 1]));
    const snapshot = tf.clone(v);
    v.assign(tf.tensor1d([9, 9]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 1]);
    expect(Array.from(v.dataSync())).toEqual([9, 9]);
    tf.dispose([v, snapshot]);
  });

  it('keeps strings on the original kernel', () => {
    const s = tf.tensor1d(['a', 'b'], 'string');
    expect(tf.clone(s).dataSync()).toEqual(['a', 'b']);
  });
});
