import { encodeTensors, schemaHash } from '@shardgrad/codec';
import { epochOrder } from '@shardgrad/data';
import { loadDataset } from '@shardgrad/data/node';
import { getModel, runModelConfig } from '@shardgrad/models';
import type { RunInfo } from '@shardgrad/protocol';
import { withAutoMicroBatch } from '@shardgrad/coordinator';
import { allSpecs, readAll } from '@shardgrad/trainer';
import { createGradientEngine, type GradientEngine } from '@shardgrad/worker-node/gradient-engine';

/**
 * The gradient engine a `shardgrad worker --threads N` builds, on the model's default dataset, with
 * no network around it; `compute(k)` computes the k-th batch-sized shard of epoch 0's order as
 * round k would, and `weights` are the initial weights as a task carries them (a round sets new
 * weights before its compute).
 */
export async function openBenchEngine(
  model: string,
  batch: number,
  threads: number,
): Promise<{ engine: GradientEngine; compute: (k: number) => ReturnType<GradientEngine['compute']>; weights: Uint8Array }> {
  const def = getModel(model);
  const dataset = await loadDataset(def.defaultDataset);
  const seed = 1;
  // The model as a run builds it (the model's default options and its passes included), not the bare network.
  const modelConfig = await withAutoMicroBatch(def, dataset, runModelConfig(def, {}, dataset), batch);
  const built = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed, config: modelConfig });
  const run: RunInfo = {
    runId: 'bench',
    model,
    modelConfig,
    dataset: def.defaultDataset,
    datasetOptions: {},
    schemaHash: schemaHash(allSpecs(built)),
    batch,
    seed,
    maxPayloadBytes: 0,
  };
  const weights = encodeTensors(readAll(built));
  built.dispose();
  const engine = await createGradientEngine(run, dataset, { threads });
  const order = epochOrder(dataset.train.n, seed, 0);
  const span = dataset.train.n - batch;
  const shard = (k: number) => order.slice((k * batch) % span, ((k * batch) % span) + batch);
  // Seeds as a round's task carries them: runs that augment need one, and dropout draws from it.
  const compute = (k: number) => engine.compute(shard(k), k, k);
  return { engine, compute, weights };
}
