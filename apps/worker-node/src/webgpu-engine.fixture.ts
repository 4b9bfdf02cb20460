// Run by webgpu-engine.spec.ts in its own process (backends are process-global; Dawn must let the
// process exit). Prints one JSON line: per model, the engine's backend and its gradient's error
// against cpu's on the same shard and weights.
import * as tf from '@tensorflow/tfjs';
import { disposeNodeBackend, initNodeBackend } from '@shardgrad/backends/node';
import { worstRelativeError } from '@shardgrad/backends/testing';
import { encodeTensors, schemaHash } from '@shardgrad/codec';
import type { Dataset } from '@shardgrad/data';
import { loadDataset } from '@shardgrad/data/node';
import { getModel } from '@shardgrad/models';
import type { RunInfo } from '@shardgrad/protocol';
import { type CountedGradients, ShardComputer, allSpecs, readAll, roundSeed } from '@shardgrad/trainer';
import { createGradientEngine } from './gradient-engine.ts';

const SEED = 3;
const ROUND = 5;

/** The supervised seed model, and the custom steps, which read tensors back in the middle of the step. */
const CASES = [
  { model: 'mnist-mlp', modelConfig: {}, shard: [3, 1, 4, 1, 5, 9, 2, 6] },
  { model: 'gan', modelConfig: { width: 8, latent: 8 }, shard: [3, 1, 4, 1_000] },
  { model: 'word2vec', modelConfig: { dims: 8 }, shard: [10, 20, 30, 40, 50] },
  { model: 'pong', modelConfig: { hidden: 8 }, shard: [0, 1] },
];

interface Prepared {
  run: RunInfo;
  dataset: Dataset;
  shard: Uint32Array;
  weights: Uint8Array;
  cpu: CountedGradients;
}

async function onCpu(c: (typeof CASES)[number]): Promise<Prepared> {
  const def = getModel(c.model);
  const dataset = await loadDataset(def.defaultDataset);
  const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: SEED, config: c.modelConfig });
  const run: RunInfo = { runId: 'r', model: def.name, modelConfig: c.modelConfig, dataset: def.defaultDataset, datasetOptions: {}, schemaHash: schemaHash(allSpecs(model)), batch: c.shard.length, seed: SEED, maxPayloadBytes: 0 };
  const weights = encodeTensors(readAll(model));
  const shard = Uint32Array.from(c.shard);
  const cpu = new ShardComputer(def, dataset, model, c.modelConfig).compute(shard, undefined, roundSeed(SEED, ROUND));
  model.dispose();
  return { run, dataset, shard, weights, cpu };
}

async function main(): Promise<void> {
  await initNodeBackend('cpu');
  const prepared = [];
  for (const c of CASES) prepared.push(await onCpu(c));
  const results = [];
  try {
    await initNodeBackend('webgpu');
    for (const p of prepared) {
      // What `shardgrad worker --backend webgpu` builds: one thread, this process's backend.
      const engine = await createGradientEngine(p.run, p.dataset);
      await engine.setWeights(p.weights);
      const gpu = await engine.compute(p.shard, undefined, roundSeed(SEED, ROUND));
      await engine.close();
      results.push({
        model: p.run.model,
        backend: engine.backend,
        count: gpu.count,
        cpuCount: p.cpu.count,
        lossError: Math.abs(gpu.loss - p.cpu.loss),
        relativeError: worstRelativeError(gpu.grads.map((t) => t.data), p.cpu.grads.map((t) => t.data)),
        stateError: gpu.state.length === 0 && p.cpu.state.length === 0 ? 0 : worstRelativeError(gpu.state.map((t) => t.data), p.cpu.state.map((t) => t.data)),
        metricsError: Math.max(0, ...Object.entries(p.cpu.metrics).map(([k, v]) => Math.abs((gpu.metrics[k] ?? NaN) - v))),
        leftTensors: tf.memory().numTensors,
      });
    }
  } finally {
    await disposeNodeBackend();
    tf.engine().reset();
  }
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

main().catch((e: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exitCode = 1;
});
