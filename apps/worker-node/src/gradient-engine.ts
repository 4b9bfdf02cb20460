import * as tf from '@tensorflow/tfjs';
import { decodeTensors, schemaHash } from '@shardgrad/codec';
import { splitByWeights, type Dataset } from '@shardgrad/data';
import { getModel } from '@shardgrad/models';
import type { RunInfo } from '@shardgrad/protocol';
import { ShardComputer, allSpecs, type CountedGradients } from '@shardgrad/trainer';
import { ThreadPool, combineThreadParts, type ThreadBackend } from './thread-pool.ts';

/** What a worker process computes with: its own thread, or a pool of worker_threads. */
export interface GradientEngine {
  /** tfjs's name of the backend doing the arithmetic. */
  readonly backend: string;
  readonly threads: number;
  /** Weights in the codec's encoding, as tasks carry them. */
  setWeights(encoded: Uint8Array): Promise<void>;
  /** `augmentSeed`: the task's, for runs that augment their images (ShardComputer.compute). */
  compute(indices: Uint32Array, augmentSeed?: number, roundSeed?: number): Promise<CountedGradients>;
  close(): Promise<void>;
}

/**
 * Builds the run's model (in this thread, or once per pool thread) and checks that it has the run's
 * schema. One thread computes on whatever tfjs backend this process selected. More threads each run
 * `threadBackend` (wasm by default: tfjs-node already spreads over every core); where this thread
 * already runs that backend, it computes one slice itself and a pool of threads − 1 the rest.
 */
export async function createGradientEngine(
  run: RunInfo,
  dataset: Dataset,
  o: { threads?: number; threadBackend?: ThreadBackend } = {},
): Promise<GradientEngine> {
  const threads = o.threads ?? 1;
  const threadBackend = o.threadBackend ?? 'wasm';
  if (threads > 1 && tf.getBackend() !== threadBackend) return poolEngine(await startPool(run, dataset, threads, threadBackend), threads);
  const computer = buildComputer(run, dataset);
  if (threads === 1) return localEngine(computer);
  let pool: ThreadPool;
  try {
    pool = await startPool(run, dataset, threads - 1, threadBackend);
  } catch (e) {
    computer.model.dispose();
    throw e;
  }
  return splitEngine(computer, pool, threads);
}

function buildComputer(run: RunInfo, dataset: Dataset): ShardComputer {
  const def = getModel(run.model);
  const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: run.seed, config: run.modelConfig });
  const hash = schemaHash(allSpecs(model));
  if (hash !== run.schemaHash) {
    model.dispose();
    throw new Error(`local model schema ${hash} differs from the run's ${run.schemaHash}: versions differ?`);
  }
  return new ShardComputer(def, dataset, model, run.modelConfig);
}

function startPool(run: RunInfo, dataset: Dataset, threads: number, backend: ThreadBackend): Promise<ThreadPool> {
  return ThreadPool.start({ threads, backend, model: run.model, modelConfig: run.modelConfig, seed: run.seed, dataset, schemaHash: run.schemaHash });
}

/** Backends whose synchronous reads throw in Node (libs/backends/src/node.ts): they need computeAsync. */
const ASYNC_READ_BACKENDS = new Set(['webgpu']);

function localEngine(computer: ShardComputer): GradientEngine {
  const backend = tf.getBackend();
  const asyncReads = ASYNC_READ_BACKENDS.has(backend);
  return {
    backend,
    threads: 1,
    setWeights: async (encoded) => computer.setWeights(decodeTensors(encoded)),
    compute: async (indices, augmentSeed, roundSeed) =>
      asyncReads ? computer.computeAsync(indices, augmentSeed, roundSeed) : computer.compute(indices, augmentSeed, roundSeed),
    close: async () => {
      computer.model.dispose();
    },
  };
}

function poolEngine(pool: ThreadPool, threads: number): GradientEngine {
  return {
    backend: pool.backend,
    threads,
    setWeights: (encoded) => pool.setWeights(encoded),
    compute: (indices, augmentSeed, roundSeed) => pool.compute(indices, augmentSeed, roundSeed),
    close: () => pool.close(),
  };
}

/**
 * This thread computes the first slice while the pool computes the others. Waiting idle on the
 * pool, this thread was a third runnable thread on the cores whenever a result came back: it took a
 * core from a thread still computing, and a synchronous step waits for the slowest slice
 * (docs/benchmarks.md, session 15). It also saves one model, one message and one copy per step.
 */
function splitEngine(computer: ShardComputer, pool: ThreadPool, threads: number): GradientEngine {
  // The pool's threads take their weights before their next slice (messages to a thread are
  // handled in order), so the step need not wait for them: their failure surfaces at the next compute.
  let poolWeights: Promise<void> = Promise.resolve();
  return {
    backend: pool.backend,
    threads,
    setWeights: async (encoded) => {
      poolWeights = pool.setWeights(encoded);
      poolWeights.catch(() => undefined);
      computer.setWeights(decodeTensors(encoded));
    },
    compute: async (indices, augmentSeed, roundSeed) => {
      if (indices.length === 0) throw new RangeError('cannot compute the gradient of an empty shard');
      // Equal slices, as the pool cuts its own: a split that followed timings would make batch
      // statistics depend on the machine's load.
      const mine = splitByWeights(indices.length, Array.from({ length: threads }, () => 1))[0]!;
      if (mine === indices.length) return computer.compute(indices, augmentSeed, roundSeed);
      // Posted before this thread starts its own slice, so both run at once.
      const others = pool.compute(indices.subarray(mine), augmentSeed, roundSeed);
      others.catch(() => undefined);
      const local = computer.compute(indices.subarray(0, mine), augmentSeed, roundSeed);
      await poolWeights;
      return combineThreadParts([local, await others]);
    },
    close: async () => {
      computer.model.dispose();
      await pool.close();
    },
  };
}
