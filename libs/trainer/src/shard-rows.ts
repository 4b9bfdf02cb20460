import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Dataset, type Split, checkRows, gatherRows, rowSize, takeRows } from '@shardgrad/data';

export interface RowTensors {
  x: tf.Tensor;
  y: tf.Tensor;
  n: number;
}

/**
 * Rows `indices` of a split as x and y tensors. On wasm the rows are copied straight into the
 * module's memory: through takeRows they first filled a fresh JavaScript array (6.7 MB for 2,125
 * MNIST rows, zeroed by the kernel page by page) that tf.tensor then copied again, 1.37 ms of a
 * thread's 21 ms step, and that garbage set off a scavenge every few rounds.
 */
export function rowTensors(ds: Dataset, split: Split, indices: ArrayLike<number>): RowTensors {
  if (tf.getBackend() !== 'wasm') return splitTensors(ds, takeRows(ds, split, indices));
  checkRows(split, indices);
  const n = indices.length;
  const backend = tf.backend() as BackendWasm;
  const x = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([n, ...ds.inputShape], 'float32'));
  const y = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([n, ds.labelSize], 'float32'));
  try {
    // Views only after both allocations: growing the module's memory detaches the views taken before.
    gatherRows(split.x, rowSize(ds.inputShape), indices, backend.typedArrayFromHeap(x) as Float32Array);
    gatherRows(split.y, ds.labelSize, indices, backend.typedArrayFromHeap(y) as Float32Array);
  } catch (e) {
    x.dispose();
    y.dispose();
    throw e;
  }
  return { x, y, n };
}

/** Rows already copied out (and perhaps augmented) as x and y tensors of the dataset's shapes. */
export function splitTensors(ds: Dataset, rows: Split): RowTensors {
  return { x: tf.tensor(rows.x, [rows.n, ...ds.inputShape]), y: tf.tensor(rows.y, [rows.n, ds.labelSize]), n: rows.n };
}
