// Run by webgpu.spec.ts in its own process (backends are process-global). Prints one JSON line: the
// bytes tfjs's WebGPU backend holds after gradient steps of the seed MLP at changing and at steady
// batch sizes, with and without step ends (webgpu-buffer-pool.ts), and the last gradient against cpu.
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../node.ts';
import { printFixtureResult } from './fixture-output.ts';
import { seededTensor, worstRelativeError } from '../testing.ts';
import { classifierGradients, seedMlp } from '../testing-models.ts';
import { boundWebgpuBufferPool, endWebgpuStep } from '../webgpu-buffer-pool.ts';

const allocated = () => (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU ?? -1;

/** One gradient step at `batch` rows, read back as a worker reads it. */
async function step(model: tf.LayersModel, batch: number): Promise<Float32Array[]> {
  const grads = tf.tidy(() => classifierGradients(model, seededTensor([batch, 28, 28], batch).add(0.5), Array.from({ length: batch }, (_, i) => (i * 7) % 10), 10));
  const data = (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
  tf.dispose(grads);
  return data;
}

async function main(): Promise<object> {
  await initNodeBackend('cpu');
  const cpuModel = seedMlp();
  const weights = cpuModel.getWeights().map((w) => w.dataSync().slice());
  const cpu = await step(cpuModel, 37);
  await initNodeBackend('webgpu');
  const pool = boundWebgpuBufferPool(tf.backend());
  if (!pool) throw new Error('the webgpu backend has no buffer manager to bound');
  const model = seedMlp();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape)));
  // Changing sizes, no step ends: tfjs's own pool, which keeps every size.
  const unbounded: number[] = [];
  for (const batch of [200, 210, 220, 230, 240, 250]) {
    await step(model, batch);
    unbounded.push(allocated());
  }
  // Changing sizes, a step end after each.
  const bounded: number[] = [];
  for (const batch of [201, 211, 221, 231, 241, 251, 202, 212, 222, 232]) {
    await step(model, batch);
    endWebgpuStep(tf.backend());
    bounded.push(allocated());
  }
  // One size again and again: reused, nothing evicted once the older sizes are gone.
  const steady: number[] = [];
  const evicted: number[] = [];
  for (let i = 0; i < 5; i++) {
    await step(model, 240);
    endWebgpuStep(tf.backend());
    steady.push(allocated());
    evicted.push(pool.evictedBuffers);
  }
  const last = await step(model, 37);
  endWebgpuStep(tf.backend());
  const result = { unbounded, bounded, steady, evicted, relativeError: worstRelativeError(last, cpu), tensors: tf.memory().numTensors };
  return result;
}

printFixtureResult(main);
