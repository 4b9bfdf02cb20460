import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { TensorData } from '@shardgrad/codec';
import { splitByWeights, type Dataset, type Split } from '@shardgrad/data';
import { weightedMean, weightedScalarMean, type CountedGradients } from '@shardgrad/trainer';
import type { ComputeThreadApi, ThreadGradients } from './compute-thread.ts';

export type ThreadBackend = 'wasm' | 'cpu';

export interface ThreadPoolOptions {
  threads: number;
  backend?: ThreadBackend;
  model: string;
  modelConfig?: Record<string, unknown>;
  seed: number;
  dataset: Dataset;
  /** The run's schema hash; a thread that builds another model is refused at start. */
  schemaHash?: string;
}

const BOOTSTRAP = new URL('./thread-bootstrap.mjs', import.meta.url);
const ENTRY = new URL('./compute-thread.ts', import.meta.url).href;

/**
 * N worker_threads, each with its own tfjs backend and model, that together compute one shard's
 * gradient: the shard is cut into one slice per thread, and the slices' mean gradients are combined
 * as Σ nᵢ·gᵢ / n, which equals the single-thread gradient of the whole shard up to float rounding.
 */
export class ThreadPool {
  private closed = false;
  private readonly remotes: Comlink.Remote<ComputeThreadApi>[] = [];
  /** tfjs's name of the threads' backend, once they have started. */
  backend = '';
  private weightsBuffer?: Uint8Array;
  /** The threads may still be reading weightsBuffer. */
  private weightsBusy = false;

  private constructor(
    private readonly workers: Worker[],
    /** Rejects as soon as any thread dies, so no call waits forever on a thread that is gone. */
    private readonly crashed: Promise<never>,
  ) {}

  static async start(o: ThreadPoolOptions): Promise<ThreadPool> {
    if (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 256) throw new RangeError(`threads must be an integer in [1, 256], got ${o.threads}`);
    const workers = Array.from({ length: o.threads }, () => new Worker(BOOTSTRAP, { workerData: { entry: ENTRY } }));
    let fail!: (e: Error) => void;
    const crashed = new Promise<never>((_, reject) => (fail = reject));
    crashed.catch(() => undefined);
    const pool = new ThreadPool(workers, crashed);
    workers.forEach((w, i) => {
      w.on('error', (e) => fail(new Error(`compute thread ${i} failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!pool.closed) fail(new Error(`compute thread ${i} exited (code ${code})`));
      });
      pool.remotes.push(Comlink.wrap<ComputeThreadApi>(nodeEndpoint(w)));
    });
    try {
      const dataset = shareTrainSplit(o.dataset);
      const infos = await pool.race(
        Promise.all(
          pool.remotes.map((r) =>
            r.init({ backend: o.backend ?? 'wasm', model: o.model, modelConfig: o.modelConfig ?? {}, seed: o.seed, dataset }),
          ),
        ),
      );
      const mismatch = infos.find((info) => o.schemaHash !== undefined && info.schemaHash !== o.schemaHash);
      if (mismatch) throw new Error(`thread model schema ${mismatch.schemaHash} differs from the run's ${o.schemaHash}: versions differ?`);
      pool.backend = infos[0]!.backend;
      return pool;
    } catch (e) {
      await pool.close();
      throw e;
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Encoded weights (codec format) go into one shared buffer that every thread decodes on its own;
   * the buffer is reused once the threads have taken the previous weights.
   */
  async setWeights(encoded: Uint8Array): Promise<void> {
    this.assertOpen();
    const reuse = this.weightsBuffer && !this.weightsBusy && this.weightsBuffer.byteLength === encoded.byteLength;
    const shared = reuse ? this.weightsBuffer! : new Uint8Array(new SharedArrayBuffer(encoded.byteLength));
    shared.set(encoded);
    this.weightsBuffer = shared;
    this.weightsBusy = true;
    try {
      await this.race(Promise.all(this.remotes.map((r) => r.setWeights(shared))));
    } finally {
      if (this.weightsBuffer === shared) this.weightsBusy = false;
    }
  }

  /** The mean-loss gradient of the whole shard, as one ShardComputer.compute over it would give. */
  async compute(indices: Uint32Array, augmentSeed?: number, taskSeed?: number): Promise<CountedGradients> {
    this.assertOpen();
    if (indices.length === 0) throw new RangeError('cannot compute the gradient of an empty shard');
    // Threads are alike, so equal slices; a slice per thread at most, never an empty one.
    const sizes = splitByWeights(indices.length, this.remotes.map(() => 1));
    const calls: Promise<ThreadGradients>[] = [];
    let off = 0;
    sizes.forEach((n, i) => {
      if (n === 0) return;
      // Augmentation and dropout masks are seeded per sample, so slicing the shard across threads
      // changes no pixel and drops no other unit.
      calls.push(this.remotes[i]!.compute(indices.slice(off, off + n), augmentSeed, taskSeed));
      off += n;
    });
    return combineThreadParts((await this.race(Promise.all(calls))).map(fromThread));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.remotes) r[Comlink.releaseProxy]();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('thread pool is closed');
  }

  private race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.crashed]);
  }
}

/**
 * Σ nᵢ·gᵢ / n per tensor, and the same weighting for state, loss and metrics: slices that started
 * from the same weights and state, unlike a shard's passes (combinePasses). The mean is written over
 * the first part's gradient arrays, which the caller hands over: one 400 kB allocation a step fewer
 * for a process whose main isolate already scavenges every ~10 rounds on external memory alone.
 */
export function combineThreadParts(parts: readonly CountedGradients[]): CountedGradients {
  if (parts.length === 1) return parts[0]!;
  const count = parts.reduce((s, p) => s + p.count, 0);
  const own = parts[0]!.grads.map((t) => t.data);
  const grads = weightedMean(parts, own.every((d) => d instanceof Float32Array) ? { buffers: own as Float32Array[] } : undefined);
  const state = parts[0]!.state.length ? weightedMean(parts.map((p) => ({ grads: p.state, count: p.count }))) : [];
  const metrics: Record<string, number> = {};
  for (const k of Object.keys(parts[0]!.metrics)) {
    metrics[k] = weightedScalarMean(parts.map((p) => ({ value: p.metrics[k] ?? NaN, count: p.count })));
  }
  return {
    grads: grads.map((data, i) => ({ shape: parts[0]!.grads[i]!.shape, dtype: 'float32', data })),
    state: state.map((data, i) => ({ shape: parts[0]!.state[i]!.shape, dtype: 'float32', data })),
    loss: weightedScalarMean(parts.map((p) => ({ value: p.loss, count: p.count }))),
    metrics,
    count,
  };
}

function fromThread(p: ThreadGradients): CountedGradients {
  return { grads: unflatten(p.flat, p.shapes), state: p.state, loss: p.loss, metrics: p.metrics, count: p.count };
}

function unflatten(flat: Float32Array, shapes: number[][]): TensorData[] {
  let off = 0;
  return shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = flat.subarray(off, off + n);
    off += n;
    return { shape, dtype: 'float32', data };
  });
}

/** The train split copied once into shared memory; threads compute on training samples only. */
function shareTrainSplit(ds: Dataset): Dataset {
  const share = (a: Float32Array) => {
    const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    return s;
  };
  const empty: Split = { x: new Float32Array(0), y: new Float32Array(0), n: 0 };
  return {
    name: ds.name,
    inputShape: ds.inputShape,
    labelSize: ds.labelSize,
    numClasses: ds.numClasses,
    classNames: ds.classNames,
    train: { x: share(ds.train.x), y: share(ds.train.y), n: ds.train.n },
    test: empty,
  };
}
