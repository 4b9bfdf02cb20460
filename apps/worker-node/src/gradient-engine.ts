import * as tf from '@tensorflow/tfjs';
import { decodeTensors, schemaHash } from '@shardgrad/codec';
import type { Dataset } from '@shardgrad/data';
import { getModel } from '@shardgrad/models';
import type { RunInfo } from '@shardgrad/protocol';
import { ShardComputer, allSpecs, type ShardGradients } from '@shardgrad/trainer';
import { ThreadPool, type ThreadBackend } from './thread-pool.ts';

/** What a worker process computes with: its own thread, or a pool of worker_threads. */
export interface GradientEngine {
  /** tfjs's name of the backend doing the arithmetic. */
  readonly backend: string;
  readonly threads: number;
  /** Weights in the codec's encoding, as tasks carry them. */
  setWeights(encoded: Uint8Array): Promise<void>;
  /** `augmentSeed`: the task's, for runs that augment their images (ShardComputer.compute). */
  compute(indices: Uint32Array, augmentSeed?: number, roundSeed?: number): Promise<ShardGradients & { count: number }>;
  close(): Promise<void>;
}

/**
 * Builds the run's model (in this thread, or once per pool thread) and checks that it has the run's
 * schema. One thread computes on whatever tfjs backend this process selected; more threads each
 * start their own `threadBackend` (wasm by default: tfjs-node already spreads over every core).
 */
export async function createGradientEngine(
  run: RunInfo,
  dataset: Dataset,
  o: { threads?: number; threadBackend?: ThreadBackend } = {},
): Promise<GradientEngine> {
  const threads = o.threads ?? 1;
  if (threads > 1) {
    const pool = await ThreadPool.start({
      threads,
      backend: o.threadBackend ?? 'wasm',
      model: run.model,
      modelConfig: run.modelConfig,
      seed: run.seed,
      dataset,
      schemaHash: run.schemaHash,
    });
    return {
      backend: pool.backend,
      threads,
      setWeights: (encoded) => pool.setWeights(encoded),
      compute: (indices, augmentSeed, roundSeed) => pool.compute(indices, augmentSeed, roundSeed),
      close: () => pool.close(),
    };
  }
  const def = getModel(run.model);
  const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: run.seed, config: run.modelConfig });
  const hash = schemaHash(allSpecs(model));
  if (hash !== run.schemaHash) {
    model.dispose();
    throw new Error(`local model schema ${hash} differs from the run's ${run.schemaHash}: versions differ?`);
  }
  const computer = new ShardComputer(def, dataset, model, run.modelConfig);
  return {
    backend: tf.getBackend(),
    threads: 1,
    setWeights: async (encoded) => computer.setWeights(decodeTensors(encoded)),
    compute: async (indices, augmentSeed, roundSeed) => computer.compute(indices, augmentSeed, roundSeed),
    close: async () => {
      model.dispose();
    },
  };
}
