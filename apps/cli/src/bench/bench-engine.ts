import { encodeTensors, schemaHash } from '@shardgrad/codec';
import { epochOrder } from '@shardgrad/data';
import { loadDataset } from '@shardgrad/data/node';
import { getModel } from '@shardgrad/models';
import type { RunInfo } from '@shardgrad/protocol';
import { allSpecs, readAll } from '@shardgrad/trainer';
import { createGradientEngine, type GradientEngine } from '@shardgrad/worker-node/gradient-engine';

/**
 * The gradient engine a `shardgrad worker --threads N` builds, on the model's default dataset, with
 * no network around it; `shard(k)` is the k-th batch-sized shard of epoch 0's order, and `weights`
 * the initial weights as a task carries them (a round sets new weights before its compute).
 */
export async function openBenchEngine(
  model: string,
  batch: number,
  threads: number,
): Promise<{ engine: GradientEngine; shard: (k: number) => Uint32Array; weights: Uint8Array }> {
  const def = getModel(model);
  const dataset = await loadDataset(def.defaultDataset);
  const seed = 1;
  const built = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed, config: {} });
  const run: RunInfo = {
    runId: 'bench',
    model,
    modelConfig: {},
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
  return { engine, shard, weights };
}
