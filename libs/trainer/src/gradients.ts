import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorData } from '@shardgrad/codec';
import type { ModelDefinition } from '@shardgrad/models';
import { readVariables, readVariablesAsync, stateVariables, trainableVariables } from './weights.ts';
import { weightPenalty } from './weight-penalty.ts';

export interface ShardGradients {
  /** Gradient of the shard's MEAN loss, one tensor per trainable weight, in position order. */
  grads: TensorData[];
  /** The model's state (batch-norm statistics) after this shard's forward pass; empty for most models. */
  state: TensorData[];
  loss: number;
  metrics: Record<string, number>;
}

/**
 * Gradient of the mean loss over one shard. The shard-weighted mean of these over a batch's shards
 * equals the gradient over the whole batch, which is what makes the cluster exact.
 * Reads synchronously and disposes everything it made, so no tensor outlives the call.
 */
export function computeGradients(
  model: tf.LayersModel,
  def: Pick<ModelDefinition, 'loss' | 'metrics'>,
  x: tf.Tensor,
  y: tf.Tensor,
): ShardGradients {
  const t = gradientTensors(model, def, x, y);
  try {
    const metrics = t.metrics.map(([k, s]) => [k, s.dataSync()[0]!] as const);
    return assemble(model, readFlatSync(t.grads), t.loss.dataSync()[0]!, metrics, readVariables(stateVariables(model)));
  } finally {
    disposeGradientTensors(t);
  }
}

/**
 * Float32 tensors' values one after another in one new array. On wasm each is copied straight out
 * of the module's memory: a concat kernel and a read were two copies and a 400 kB allocation in the
 * module, and cost a 128-sample MLP step 0.25 ms of 3.5 (alternated in one process). Elsewhere one
 * concat and one read: a single copy out of the backend instead of one per tensor.
 */
export function readFlatSync(tensors: readonly tf.Tensor[]): Float32Array {
  const heap = wasmHeapView();
  if (!heap) {
    const concatenated = concatenate(tensors);
    try {
      return concatenated.dataSync() as Float32Array;
    } finally {
      concatenated.dispose();
    }
  }
  const flat = new Float32Array(tensors.reduce((n, g) => n + g.size, 0));
  let off = 0;
  for (const g of tensors) {
    // Nothing runs between taking the view and copying it, so the module's memory cannot grow (and
    // detach the view) in between.
    flat.set(g.dtype === 'float32' ? heap(g) : g.dataSync(), off);
    off += g.size;
  }
  return flat;
}

/** readFlatSync with one asynchronous read: on WebGL and WebGPU each read waits for the device, and a concat there is cheap. */
export async function readFlatAsync(tensors: readonly tf.Tensor[]): Promise<Float32Array> {
  const concatenated = concatenate(tensors);
  try {
    return (await concatenated.data()) as Float32Array;
  } finally {
    concatenated.dispose();
  }
}

const concatenate = (tensors: readonly tf.Tensor[]): tf.Tensor => tf.tidy(() => tf.concat(tensors.map((g) => tf.reshape(g, [-1]))));

function wasmHeapView(): ((t: tf.Tensor) => Float32Array) | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as BackendWasm;
  return (t) => backend.typedArrayFromHeap(t) as Float32Array;
}

/**
 * computeGradients with asynchronous reads, for backends whose synchronous read is slow or missing
 * (WebGPU reads synchronously through a canvas, which returned zeros in a Web Worker on SwiftShader).
 * Same numbers as computeGradients.
 */
export async function computeGradientsAsync(
  model: tf.LayersModel,
  def: Pick<ModelDefinition, 'loss' | 'metrics'>,
  x: tf.Tensor,
  y: tf.Tensor,
): Promise<ShardGradients> {
  const t = gradientTensors(model, def, x, y);
  let concatenated: tf.Tensor | undefined;
  try {
    concatenated = concatenate(t.grads);
    // One read: on WebGL and WebGPU each read waits for the device, and a concat there is cheap.
    const [flat, loss, ...values] = await Promise.all([concatenated.data(), t.loss.data(), ...t.metrics.map(([, s]) => s.data())]);
    const metrics = t.metrics.map(([k], i) => [k, values[i]![0]!] as const);
    return assemble(model, flat as Float32Array, loss[0]!, metrics, await readVariablesAsync(stateVariables(model)));
  } finally {
    concatenated?.dispose();
    disposeGradientTensors(t);
  }
}

interface GradientTensors {
  loss: tf.Scalar;
  metrics: [string, tf.Scalar][];
  /** Every trainable variable's gradient, in position order. */
  grads: tf.Tensor[];
}

/** The shard's loss, metrics and gradient as tensors, made in one synchronous tidy; the caller reads and disposes them. */
function gradientTensors(
  model: tf.LayersModel,
  def: Pick<ModelDefinition, 'loss' | 'metrics'>,
  x: tf.Tensor,
  y: tf.Tensor,
): GradientTensors {
  const vars = trainableVariables(model);
  const metricTensors: [string, tf.Scalar][] = [];
  let loss!: tf.Scalar;
  const gradList = tf.tidy(() => {
    let dataLoss: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const pred = model.apply(x, { training: true }) as tf.Tensor;
      // Kept: variableGrads disposes everything but the loss when its closure returns.
      for (const [k, fn] of Object.entries(def.metrics)) metricTensors.push([k, tf.keep(fn(y, pred))]);
      const objective = def.loss(y, pred);
      const penalty = weightPenalty(model);
      if (!penalty) return objective;
      // The reported loss stays the data loss, comparable with the test loss; the L1/L2 penalty only steers.
      dataLoss = tf.keep(objective);
      return tf.add(objective, penalty) as tf.Scalar;
    }, vars);
    loss = dataLoss ?? tf.keep(value);
    return vars.map((v) => grads[v.name]!);
  });
  return { loss, metrics: metricTensors, grads: gradList };
}

function disposeGradientTensors(t: GradientTensors): void {
  t.loss.dispose();
  tf.dispose(t.grads);
  for (const [, s] of t.metrics) s.dispose();
}

function assemble(
  model: tf.LayersModel,
  flat: Float32Array,
  loss: number,
  metricValues: readonly (readonly [string, number])[],
  state: TensorData[],
): ShardGradients {
  const out: TensorData[] = [];
  let off = 0;
  for (const v of trainableVariables(model)) {
    out.push({ shape: [...v.shape], dtype: 'float32', data: flat.subarray(off, off + v.size) });
    off += v.size;
  }
  return { grads: out, state, loss, metrics: Object.fromEntries(metricValues) };
}
