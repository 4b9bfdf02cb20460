import * as tf from '@tensorflow/tfjs';
import type { TensorData, TensorSpec } from '@shardgrad/codec';

/**
 * Variables are matched across processes by POSITION in model.trainableWeights, never by name:
 * tfjs names carry process-global counters and differ between peers.
 */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function trainableSpecs(model: tf.LayersModel): TensorSpec[] {
  return model.trainableWeights.map((w) => ({ shape: [...w.shape] as number[], dtype: w.dtype }));
}

/**
 * Non-trainable state that a training forward pass changes (batch-norm moving statistics).
 * It travels after the trainable tensors: workers return their updated copy, the coordinator
 * keeps the shard-weighted mean, which is what one process would hold after the whole batch.
 */
export function stateVariables(model: tf.LayersModel): tf.Variable[] {
  return model.nonTrainableWeights.map((w) => w.read() as tf.Variable);
}

/** Trainable tensors then state tensors: the layout of weights on the wire and of every result. */
export function allVariables(model: tf.LayersModel): tf.Variable[] {
  return [...trainableVariables(model), ...stateVariables(model)];
}

export function allSpecs(model: tf.LayersModel): TensorSpec[] {
  return allVariables(model).map((v) => ({ shape: [...v.shape], dtype: v.dtype }));
}

/** Reads every trainable weight into one contiguous buffer (views per tensor), ready for the codec. */
export function readTrainable(model: tf.LayersModel): TensorData[] {
  return readVariables(trainableVariables(model));
}

/** Trainable weights followed by state: what the coordinator broadcasts. */
export function readAll(model: tf.LayersModel): TensorData[] {
  return readVariables(allVariables(model));
}

export function readVariables(vars: readonly tf.Variable[]): TensorData[] {
  const total = vars.reduce((s, v) => s + v.size, 0);
  const flat = new Float32Array(total);
  const out: TensorData[] = [];
  let off = 0;
  for (const v of vars) {
    flat.set(v.dataSync() as Float32Array, off);
    out.push({ shape: [...v.shape], dtype: 'float32', data: flat.subarray(off, off + v.size) });
    off += v.size;
  }
  return out;
}

/** readVariables with asynchronous reads (WebGPU); same layout. */
export async function readVariablesAsync(vars: readonly tf.Variable[]): Promise<TensorData[]> {
  const values = await Promise.all(vars.map((v) => v.data()));
  const flat = new Float32Array(vars.reduce((s, v) => s + v.size, 0));
  const out: TensorData[] = [];
  let off = 0;
  vars.forEach((v, i) => {
    flat.set(values[i] as Float32Array, off);
    out.push({ shape: [...v.shape], dtype: 'float32', data: flat.subarray(off, off + v.size) });
    off += v.size;
  });
  return out;
}

/** Assigns weights in position order; shapes were validated by the caller against the schema. */
export function writeTrainable(model: tf.LayersModel, tensors: readonly TensorData[]): void {
  writeVariables(trainableVariables(model), tensors);
}

/** Inverse of readAll. */
export function writeAll(model: tf.LayersModel, tensors: readonly TensorData[]): void {
  writeVariables(allVariables(model), tensors);
}

export function writeVariables(vars: readonly tf.Variable[], tensors: readonly TensorData[]): void {
  if (tensors.length !== vars.length) throw new Error(`expected ${vars.length} weight tensors, got ${tensors.length}`);
  tf.tidy(() => {
    vars.forEach((v, i) => {
      const t = tensors[i]!;
      if (t.data.length !== v.size) throw new Error(`weight ${i}: expected ${v.size} values, got ${t.data.length}`);
      v.assign(tf.tensor(t.data, v.shape, 'float32'));
    });
  });
}
