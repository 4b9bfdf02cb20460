// Run by webgpu.spec.ts in its own process (backends are process-global, and Dawn must let the
// process exit after disposeNodeBackend). Prints one JSON line: the errors of webgpu vs cpu.
import * as tf from '@tensorflow/tfjs';
import { disposeNodeBackend, initNodeBackend } from '../node.ts';
import { seededTensor, seededValues, worstRelativeError } from '../testing.ts';

/** The seed MLP of the curriculum: 28×28 → Flatten → Dense 128 relu → Dense 10 softmax. */
function seedMlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

const BATCH = 16;

function gradients(weights: Float32Array[]): tf.Tensor[] {
  const model = seedMlp();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const x = seededTensor([BATCH, 28, 28], 7).add(0.5);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => (i * 7) % 10), 'int32'), 10);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as tf.Tensor) as tf.Scalar,
    vars,
  );
  // By position, never by name: names carry process-global counters.
  return vars.map((v) => grads[v.name]);
}

async function main(): Promise<void> {
  const shapes = [[784, 128], [128], [128, 10], [10]];
  const weights = shapes.map((s, i) => seededValues(tf.util.sizeFromShape(s), 100 + i).map((v) => v * 0.2));
  await initNodeBackend('cpu');
  const cpu = tf.tidy(() => gradients(weights)).map((t) => t.dataSync().slice());
  const info = await initNodeBackend('webgpu');
  const gpuTensors = tf.tidy(() => gradients(weights));
  const gpu = await Promise.all(gpuTensors.map((t) => t.data()));
  tf.dispose(gpuTensors);
  const result = { ...info, relativeError: worstRelativeError(gpu as Float32Array[], cpu as Float32Array[]) };
  await disposeNodeBackend();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exitCode = 1;
});
