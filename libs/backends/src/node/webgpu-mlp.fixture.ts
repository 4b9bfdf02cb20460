// Run by webgpu.spec.ts in its own process (backends are process-global, and Dawn must let the
// process exit after disposeNodeBackend). Prints one JSON line: the errors of webgpu vs cpu.
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../node.ts';
import { printFixtureResult } from './fixture-output.ts';
import { seededTensor, seededValues, worstRelativeError } from '../testing.ts';
import { classifierGradients, seedMlp } from '../testing-models.ts';

const BATCH = 16;

function gradients(weights: Float32Array[]): tf.Tensor[] {
  const model = seedMlp();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const x = seededTensor([BATCH, 28, 28], 7).add(0.5);
  return classifierGradients(model, x, Array.from({ length: BATCH }, (_, i) => (i * 7) % 10), 10);
}

async function main(): Promise<object> {
  const shapes = [[784, 128], [128], [128, 10], [10]];
  const weights = shapes.map((s, i) => seededValues(tf.util.sizeFromShape(s), 100 + i).map((v) => v * 0.2));
  await initNodeBackend('cpu');
  const cpu = tf.tidy(() => gradients(weights)).map((t) => t.dataSync().slice());
  const info = await initNodeBackend('webgpu');
  const gpuTensors = tf.tidy(() => gradients(weights));
  const gpu = await Promise.all(gpuTensors.map((t) => t.data()));
  tf.dispose(gpuTensors);
  const result = { ...info, relativeError: worstRelativeError(gpu as Float32Array[], cpu as Float32Array[]) };
  return result;
}

printFixtureResult(main);
