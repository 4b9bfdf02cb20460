import type * as tf from '@tensorflow/tfjs';

/**
 * Threads a partial-sum program aims for: enough to fill a large GPU (an H100 runs ~270k at once),
 * few enough that each still sums a long run before the partial sums are added.
 */
const TARGET_THREADS = 2 ** 18;
const MIN_CHUNK = 64;
const MAX_CHUNK = 4096;

/** How many of `length` terms each partial sum covers, with `outputs` sums wanted (one thread per chunk and output). */
export function partialSumChunk(length: number, outputs: number): number {
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.ceil((length * outputs) / TARGET_THREADS)));
}

/**
 * A tfjs WebGPU program with one thread per value of a [chunks, outputs] partial-sum output, in
 * 64-wide workgroups on a flat dispatch (tfjs spreads it past the device's per-dimension cap).
 * Subclasses give the shader, its inputs and uniforms.
 */
export abstract class PartialSumsProgram {
  abstract readonly variableNames: string[];
  abstract readonly uniforms: string;
  abstract shaderKey: string;
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly dispatchLayout = { x: [0, 1] };
  readonly dispatch: [number, number, number];

  constructor(readonly outputShape: [number, number]) {
    this.dispatch = [Math.ceil((outputShape[0] * outputShape[1]) / this.workgroupSize[0]), 1, 1];
  }

  abstract getUserCode(): string;
}

/** What we call on tfjs-backend-webgpu's backend (its type is not exported through tfjs). */
export interface WebGpuBackendLike extends tf.KernelBackend {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Array<{ type: string; data: number[] }>): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}
