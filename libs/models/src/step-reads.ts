import type * as tf from '@tensorflow/tfjs';

/** What a read of a tensor hands back: its values, of its dtype. */
export type TensorValues = Float32Array | Int32Array | Uint8Array;

/**
 * Code that reads tensors back to JavaScript, written once for both kinds of read: it yields each
 * tensor it needs and is resumed with that tensor's values. `readSync` answers with dataSync, which
 * costs wasm and cpu no promise per read; `readAsync` with data(), because WebGPU in Node has no
 * synchronous read at all and in a browser only a slow one. The code keeps ownership of what it
 * yields (it may yield a variable, which must not be disposed).
 */
export type Reads<R> = Generator<tf.Tensor, R, TensorValues>;

export function readSync<R>(reads: Reads<R>): R {
  for (let next = reads.next(); ; ) {
    if (next.done) return next.value;
    let values: TensorValues;
    try {
      values = next.value.dataSync();
    } catch (e) {
      // Into the code, so its finally blocks dispose what it kept (the error comes back out).
      next = reads.throw(e);
      continue;
    }
    next = reads.next(values);
  }
}

export async function readAsync<R>(reads: Reads<R>): Promise<R> {
  for (let next = reads.next(); ; ) {
    if (next.done) return next.value;
    let values: TensorValues;
    try {
      values = await next.value.data();
    } catch (e) {
      next = reads.throw(e);
      continue;
    }
    next = reads.next(values);
  }
}

/** Reads a tensor the caller made for this read alone, and disposes it whatever happens. */
export function* readAndDispose(t: tf.Tensor): Reads<TensorValues> {
  try {
    return yield t;
  } finally {
    t.dispose();
  }
}
