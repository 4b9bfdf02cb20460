// Run by webgpu-dropout.spec.ts in its own process (backends are process-global). Prints one JSON
// line: how many units of the WebGPU kernel's dropout masks differ from sampleMasks', and a shard's
// gradient with dropout computed by a webgpu worker against a cpu one.
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '@shardgrad/backends/node';
import { DROPOUT_MASK_KERNEL } from '@shardgrad/backends/kernels/dropout-mask-kernel';
import { printFixtureResult } from '@shardgrad/backends/node/fixture-output';
import { worstRelativeError } from '@shardgrad/backends/testing';
import { type Dataset, deriveSeed } from '@shardgrad/data';
import { getModel } from '@shardgrad/models';
import { sampleMasks } from './sample-dropout.ts';
import { ShardComputer } from './shard-computer.ts';

// Seeds past 2³¹ (negative as int32) and rows past any batch, rates at the edges.
const CASES = [
  { seed: 7, rows: [0, 1, 2, 3], perRow: 1568, rate: 0.1 },
  { seed: 2 ** 32 - 5, rows: [8_499, 12, 2 ** 40, 3], perRow: 97, rate: 0.5 },
  { seed: 123_456_789, rows: Array.from({ length: 300 }, (_, i) => i * 31), perRow: 128, rate: 1 / 3 },
  { seed: 99, rows: [5, 6], perRow: 1000, rate: 0.999 },
  { seed: 1, rows: [5], perRow: 64, rate: 1 - 2 ** -34 },
];

const ROWS = 24;
const dataset: Dataset = (() => {
  const split = { x: Float32Array.from({ length: ROWS * 784 }, (_, i) => (Math.sin(i) + 1) / 2), y: Float32Array.from({ length: ROWS }, (_, i) => i % 10), n: ROWS };
  return { name: 'sines', inputShape: [28, 28, 1], labelSize: 1, numClasses: 10, train: split, test: split };
})();
const CONFIG = { dropout: 0.4 };

/** The seed MLP with dropout, one shard's gradient with the masks of `taskSeed`, as a worker computes it. */
async function shardGradient(taskSeed: number, weights?: Float32Array[]): Promise<{ grads: Float32Array[]; weights: Float32Array[] }> {
  const def = getModel('mnist-mlp');
  const model = def.build({ inputShape: dataset.inputShape, numClasses: 10, seed: 5, config: CONFIG });
  if (weights) {
    const given = model.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape));
    model.setWeights(given);
    tf.dispose(given);
  }
  const computer = new ShardComputer(def, dataset, model, CONFIG);
  const rows = Uint32Array.from({ length: ROWS }, (_, i) => (i * 5) % ROWS);
  const result = tf.getBackend() === 'webgpu' ? await computer.computeAsync(rows, undefined, taskSeed) : computer.compute(rows, undefined, taskSeed);
  const own = (await Promise.all(model.getWeights().map((w) => w.data()))) as Float32Array[];
  model.dispose();
  return { grads: result.grads.map((g) => g.data as Float32Array), weights: own };
}

async function main(): Promise<object> {
  await initNodeBackend('cpu');
  const cpu = await shardGradient(77);
  const otherMasks = await shardGradient(78, cpu.weights);
  await initNodeBackend('webgpu');
  const masks = [];
  for (const c of CASES) {
    const seeds = tf.tensor1d(Int32Array.from(c.rows, (row) => deriveSeed(c.seed, row) | 0), 'int32');
    const mask = tf.engine().runKernel(DROPOUT_MASK_KERNEL, { seeds }, { perRow: c.perRow, rate: c.rate }) as tf.Tensor;
    const gpu = (await mask.data()) as Float32Array;
    const js = sampleMasks({ seed: c.seed, rows: c.rows }, c.rate, c.perRow);
    let differing = 0;
    for (let i = 0; i < js.length; i++) if (gpu[i] !== js[i]) differing++;
    masks.push({ rate: c.rate, units: js.length, differing, kept: js.filter((v) => v > 0).length, shape: mask.shape });
    tf.dispose([seeds, mask]);
  }
  const webgpu = await shardGradient(77, cpu.weights);
  return {
    backend: tf.getBackend(),
    masks,
    gradientError: worstRelativeError(webgpu.grads, cpu.grads),
    // How far apart two mask draws put the gradient: what a mismatch would look like.
    otherMasksError: worstRelativeError(otherMasks.grads, cpu.grads),
    tensors: tf.memory().numTensors,
  };
}

printFixtureResult(main);
