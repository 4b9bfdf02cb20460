import type * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-webgpu (4.22) keeps every released buffer for reuse by its exact size, and never
 * frees one. A worker's shard changes size from round to round (shares follow the measured speeds),
 * so each round leaves a whole step's activations behind at sizes that never come again: ~4 GB a
 * round for the CNN at ~4,100 samples. On an H200 two such workers went on, after ~30 rounds, to
 * return garbage (losses below 0, accuracies of 60,000) with no error anywhere: what running out of
 * GPU memory looks like to tfjs, which never reads the errors Dawn reports asynchronously. (One
 * worker at a steady 4,096 samples stayed correct on the same card.)
 *
 * This bounds the pool by steps: whoever computes calls endWebgpuStep after each step (ShardComputer
 * does, after each shard), and the free buffers of sizes that no step of the last KEEP_STEPS asked
 * for are destroyed. Steady sizes reuse as before, and so do two that alternate (an epoch's short
 * last batch); changing sizes keep at most KEEP_STEPS steps' worth. Without steps nothing changes.
 */
export const KEEP_STEPS = 2;

/** The parts of tfjs-backend-webgpu's BufferManager this relies on (it is not exported through tfjs). */
interface BufferManagerLike {
  freeBuffers: Map<string, GPUBufferLike[]>;
  usedBuffers: Map<string, GPUBufferLike[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  acquireBuffer(size: number, usage: number, ...rest: unknown[]): GPUBufferLike;
}
interface GPUBufferLike {
  size: number;
  destroy(): void;
}

export interface BoundedPool {
  steps: number;
  /** Buffers destroyed because no recent step used their size. */
  evictedBuffers: number;
  evictedBytes: number;
  /** Ends a step: frees the sizes that the last KEEP_STEPS steps did not use. */
  endStep(): void;
}

const BOUNDED = Symbol('shardgrad.boundedPool');
type Bounded = BufferManagerLike & { [BOUNDED]?: BoundedPool };

function managerOf(backend: tf.KernelBackend): Bounded | undefined {
  const manager = (backend as unknown as { bufferManager?: Bounded }).bufferManager;
  const usable = manager && manager.freeBuffers instanceof Map && typeof manager.acquireBuffer === 'function';
  return usable ? manager : undefined;
}

/**
 * Bounds the free pool of a WebGPU backend (tf.backend() while 'webgpu' is active); false when it
 * has no buffer manager of the expected shape. Idempotent per backend.
 */
export function boundWebgpuBufferPool(backend: tf.KernelBackend): BoundedPool | false {
  const manager = managerOf(backend);
  if (!manager) return false;
  if (manager[BOUNDED]) return manager[BOUNDED];
  // The step in which each key (tfjs pools by `${size}_${usage}`, buffer_manager.js) was last asked for.
  const lastUse = new Map<string, number>();
  const acquire = manager.acquireBuffer.bind(manager);
  const pool: BoundedPool = {
    steps: 0,
    evictedBuffers: 0,
    evictedBytes: 0,
    endStep() {
      pool.steps++;
      for (const [key, list] of manager.freeBuffers) {
        // Kept: sizes asked for in this step or the one before. A buffer that tfjs still holds back
        // for its next submit was asked for in this step, so it is kept too; and WebGPU frees a
        // destroyed buffer only once the submitted work that used it is done.
        if (pool.steps - (lastUse.get(key) ?? 0) < KEEP_STEPS) continue;
        for (const buffer of list.splice(0)) {
          buffer.destroy();
          manager.numFreeBuffers--;
          manager.numBytesAllocated -= buffer.size;
          pool.evictedBuffers++;
          pool.evictedBytes += buffer.size;
        }
        // A size no buffer has any more is forgotten (shares change every round: keys would pile up).
        // Never the last key: tfjs's releaseBuffer drops buffers unpooled once the map is empty.
        if (!manager.usedBuffers.get(key)?.length && manager.freeBuffers.size > 1) {
          manager.freeBuffers.delete(key);
          manager.usedBuffers.delete(key);
          lastUse.delete(key);
        }
      }
    },
  };
  manager.acquireBuffer = (size, usage, ...rest) => {
    lastUse.set(`${size}_${usage}`, pool.steps + 1);
    return acquire(size, usage, ...rest);
  };
  manager[BOUNDED] = pool;
  return pool;
}

/** endStep of the active backend's bounded pool; nothing where the backend is not a bounded WebGPU one. */
export function endWebgpuStep(backend: tf.KernelBackend): void {
  managerOf(backend)?.[BOUNDED]?.endStep();
}
