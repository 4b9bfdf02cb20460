// Run by webgpu-engine.spec.ts in its own process (backends are process-global; Dawn must let the
// process exit). Prints one JSON line: the engine's backend and its gradient's error against cpu.
import * as tf from '@tensorflow/tfjs';
import { disposeNodeBackend, initNodeBackend } from '@shardgrad/backends/node';
import { worstRelativeError } from '@shardgrad/backends/testing';
import { encodeTensors, schemaHash } from '@shardgrad/codec';
import { loadDataset } from '@shardgrad/data/node';
import { getModel } from '@shardgrad/models';
import type { RunInfo } from '@shardgrad/protocol';
import { ShardComputer, allSpecs, readAll } from '@shardgrad/trainer';
import { createGradientEngine } from './gradient-engine.ts';

const SHARD = Uint32Array.from([3, 1, 4, 1, 5, 9, 2, 6]);

async function main(): Promise<void> {
  const def = getModel('mnist-mlp');
  const dataset = await loadDataset('mnist');
  await initNodeBackend('cpu');
  const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: 3, config: {} });
  const run: RunInfo = { runId: 'r', model: def.name, modelConfig: {}, dataset: 'mnist', datasetOptions: {}, schemaHash: schemaHash(allSpecs(model)), batch: 8, seed: 3, maxPayloadBytes: 0 };
  const weights = encodeTensors(readAll(model));
  const cpu = new ShardComputer(def, dataset, model).compute(SHARD);
  try {
    await initNodeBackend('webgpu');
    // What `shardgrad worker --backend webgpu` builds: one thread, this process's backend.
    const engine = await createGradientEngine(run, dataset);
    await engine.setWeights(weights);
    const gpu = await engine.compute(SHARD);
    await engine.close();
    const relativeError = worstRelativeError(gpu.grads.map((t) => t.data), cpu.grads.map((t) => t.data));
    process.stdout.write(`${JSON.stringify({ backend: engine.backend, count: gpu.count, lossError: Math.abs(gpu.loss - cpu.loss), relativeError })}\n`);
  } finally {
    await disposeNodeBackend();
    tf.engine().reset();
  }
}

main().catch((e: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exitCode = 1;
});
