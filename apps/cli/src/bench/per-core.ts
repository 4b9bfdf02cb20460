import * as tf from '@tensorflow/tfjs';
import { mnistMlp, sparseCategoricalCrossentropy } from '@shardgrad/models';
import { computeGradients } from '@shardgrad/trainer';
import { smallCnn } from '@shardgrad/backends/testing-models';
import { runTorchPeer } from './torch-peer.ts';

/** The peer's three models (shared/peers/torch_peer.py), built layer for layer in tfjs. */
const MODELS: Record<string, { build: () => tf.LayersModel; input: (n: number) => tf.Tensor; classes: number }> = {
  mlp: {
    build: () => mnistMlp.build({ inputShape: [28, 28, 1], numClasses: 10, seed: 1, config: {} }),
    input: (n) => tf.randomNormal([n, 28, 28, 1]),
    classes: 10,
  },
  cnn: {
    build: smallCnn,
    input: (n) => tf.randomNormal([n, 28, 28, 1]),
    classes: 10,
  },
  lstm: {
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 64, outputDim: 64, inputLength: 40 }),
          tf.layers.lstm({ units: 128 }),
          tf.layers.dense({ units: 64, activation: 'softmax' }),
        ],
      }),
    input: (n) => tf.randomUniform([n, 40], 0, 64, 'int32'),
    classes: 64,
  },
};

/** Gradient samples/s of one worker's engine (forward + backward, as a worker computes a shard). */
export function measureGradientThroughput(name: string, batch: number, steps: number): number {
  const m = MODELS[name]!;
  const model = m.build();
  const x = m.input(batch);
  const y = tf.randomUniform([batch, 1], 0, m.classes, 'int32').toFloat();
  const def = { loss: sparseCategoricalCrossentropy, metrics: {} };
  for (let i = 0; i < Math.min(5, steps); i++) computeGradients(model, def, x, y);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) computeGradients(model, def, x, y);
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return (batch * steps) / seconds;
}

/**
 * Ours and PyTorch's (1 thread), measured in one run so the ratio survives a noisy machine: `rounds`
 * alternations of ours then PyTorch's, each side's best kept (as timeit keeps its best: on these shared
 * cores a slower pass measures the neighbours, not the code), and every round's own ratio reported.
 */
export async function perCoreBench(batch: number, steps: number, rounds = 3) {
  const names = Object.keys(MODELS);
  const ours: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const torch: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const n of names) ours[n]!.push(measureGradientThroughput(n, batch, n === 'lstm' ? Math.max(5, steps >> 3) : steps));
    const peer = await runTorchPeer(names, batch, 1);
    for (const n of names) {
      const t = peer.find((p) => p.model === n)?.samples_per_s;
      if (t !== undefined) torch[n]!.push(t);
    }
  }
  return names.map((n) => {
    const best = Math.max(...ours[n]!);
    const bestTorch = torch[n]!.length ? Math.max(...torch[n]!) : undefined;
    const roundRatios = torch[n]!.length === rounds ? ours[n]!.map((v, i) => v / torch[n]![i]!) : [];
    return { model: n, ours: best, torch: bestTorch, ratio: bestTorch ? best / bestTorch : undefined, roundRatios, oursRounds: ours[n]!, torchRounds: torch[n]! };
  });
}
