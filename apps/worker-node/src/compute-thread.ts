/**
 * One compute thread of a ThreadPool: a worker_thread with its own tfjs backend (wasm in Node has
 * no threads of its own, so each thread is one more core), its own copy of the model and the same
 * ShardComputer a single-threaded worker uses. The parent drives it through Comlink.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { initNodeBackend } from '@shardgrad/backends/node';
import { decodeTensors, schemaHash, type TensorData } from '@shardgrad/codec';
import type { Dataset } from '@shardgrad/data';
import { getModel } from '@shardgrad/models';
import { ShardComputer, allSpecs } from '@shardgrad/trainer';

export interface ThreadSetup {
  backend: 'wasm' | 'cpu';
  model: string;
  modelConfig: Record<string, unknown>;
  seed: number;
  /** Train split in SharedArrayBuffers: every thread reads the parent's one copy. */
  dataset: Dataset;
}

/** A shard's gradient packed into one buffer, so it crosses back as a transfer, not a copy per tensor. */
export interface ThreadGradients {
  flat: Float32Array;
  shapes: number[][];
  state: TensorData[];
  loss: number;
  metrics: Record<string, number>;
  count: number;
}

let computer: ShardComputer | undefined;

const api = {
  async init(setup: ThreadSetup): Promise<{ backend: string; schemaHash: string }> {
    const info = await initNodeBackend(setup.backend);
    const def = getModel(setup.model);
    const ds = setup.dataset;
    const model = def.build({ inputShape: ds.inputShape, numClasses: ds.numClasses, seed: setup.seed, config: setup.modelConfig });
    computer = new ShardComputer(def, ds, model, setup.modelConfig);
    return { backend: info.backend, schemaHash: schemaHash(allSpecs(model)) };
  },

  setWeights(shared: Uint8Array): void {
    // A private copy first: msgpackr refuses views of a SharedArrayBuffer.
    ready().setWeights(decodeTensors(shared.slice()));
  },

  compute(indices: Uint32Array, augmentSeed?: number, taskSeed?: number): ThreadGradients {
    const g = ready().compute(indices, augmentSeed, taskSeed);
    const flat = new Float32Array(g.grads.reduce((s, t) => s + t.data.length, 0));
    let off = 0;
    for (const t of g.grads) {
      flat.set(t.data, off);
      off += t.data.length;
    }
    const result: ThreadGradients = { flat, shapes: g.grads.map((t) => t.shape), state: g.state, loss: g.loss, metrics: g.metrics, count: g.count };
    return Comlink.transfer(result, [flat.buffer]);
  },
};

function ready(): ShardComputer {
  if (!computer) throw new Error('compute thread used before init()');
  return computer;
}

export type ComputeThreadApi = typeof api;

if (!parentPort) throw new Error('compute-thread.ts is a worker_threads entry; start it through ThreadPool');
Comlink.expose(api, nodeEndpoint(parentPort));
