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

/** A flat dispatch of 64-wide workgroups, one thread per output value (tfjs spreads x past the device's cap). */
export function flatDispatch(outputShape: readonly number[]): { workgroupSize: [number, number, number]; dispatchLayout: { x: number[] }; dispatch: [number, number, number] } {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return { workgroupSize: [64, 1, 1], dispatchLayout: { x: outputShape.map((_, i) => i) }, dispatch: [Math.ceil(size / 64), 1, 1] };
}

/** What we call on tfjs-backend-webgpu's backend (its type is not exported through tfjs). */
export interface WebGpuBackendLike extends tf.KernelBackend {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Array<{ type: string; data: number[] }>): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}
