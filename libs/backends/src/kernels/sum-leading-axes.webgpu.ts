import * as tf from '@tensorflow/tfjs';
import { KernelScope } from './kernel-scope.ts';
import { wrapKernel } from './replace-kernel.ts';
import { PartialSumsProgram, partialSumChunk, type WebGpuBackendLike } from './webgpu-partial-sums.ts';

/** Below this many rows per output tfjs's reduction is fine (and ours would add a pass). */
const MIN_ROWS = 2048;

/**
 * partial[k, c] = Σ_{r in chunk k} x[r, c]: one thread per (chunk of rows, column). tfjs-backend-webgpu
 * 4.22 reduces leading axes by transposing them last and giving each output one workgroup: a batch
 * norm's moments or a bias gradient over [4,096, 28, 28, 16] ran 16 workgroups over 3.2 M values each,
 * and Sum and Mean were 58% of the curriculum CNN's GPU time on an H100 once the filter gradient was fixed.
 */
class ColumnChunksProgram extends PartialSumsProgram {
  readonly variableNames = ['x'];
  readonly uniforms = 'rows : i32, cols : i32, chunk : i32,';
  shaderKey = 'shardgradColumnChunks';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let c = index % uniforms.cols;
          let start = (index / uniforms.cols) * uniforms.chunk;
          let end = min(start + uniforms.chunk, uniforms.rows);
          var sum = 0.0;
          for (var r = start; r < end; r = r + 1) {
            sum = sum + getX(r, c);
          }
          setOutputAtIndex(index, sum);
        }
      }
    `;
  }
}

/** The rows and columns of a float32 reduction over leading axes worth doing ourselves, or null. */
export function leadingAxesReduction(x: tf.TensorInfo, axis: number | number[]): { rows: number; cols: number } | null {
  if (x.dtype !== 'float32' || x.shape.length < 2) return null;
  const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= x.shape.length || axes.some((a, i) => a !== i)) return null;
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const cols = tf.util.sizeFromShape(x.shape.slice(axes.length));
  return rows >= MIN_ROWS && cols > 0 ? { rows, cols } : null;
}

let calls = 0;

/** How many reductions went through the chunked columns (tests check theirs ran). */
export function webgpuColumnSumCalls(): number {
  return calls;
}

/** Σ over the leading axes (Sum) or their mean (Mean), keepDims as asked, by chunked partial sums and a small Sum. */
function reduceLeadingAxes(args: Parameters<tf.KernelFunc>[0], mean: boolean, shape: { rows: number; cols: number }): tf.TensorInfo {
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const backend = args.backend as WebGpuBackendLike;
  const { rows, cols } = shape;
  const chunk = partialSumChunk(rows, cols);
  const chunks = Math.ceil(rows / chunk);
  calls++;
  const scope = new KernelScope('webgpu', backend);
  const partial = backend.runWebGPUProgram(new ColumnChunksProgram([chunks, cols]), [scope.reshape(x, [rows, cols])], 'float32', [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [cols] },
    { type: 'int32', data: [chunk] },
  ]);
  scope.track(partial);
  let out = scope.run(tf.Sum, { x: partial }, { axis: [0], keepDims: false });
  if (mean) {
    const count = backend.makeTensorInfo([], 'float32', new Float32Array([rows]));
    scope.track(count);
    out = scope.run(tf.RealDiv, { a: out, b: count });
  }
  const leading = tf.util.parseAxisParam(axis, x.shape).length;
  out = scope.reshape(out, keepDims ? [...x.shape.slice(0, leading).map(() => 1), ...x.shape.slice(leading)] : x.shape.slice(leading));
  scope.dispose(out);
  return out;
}

/** Sum and Mean over leading axes on the WebGPU backend through reduceLeadingAxes; once; false where WebGPU is not loaded. */
export function installWebgpuLeadingAxesReductions(): boolean {
  const reduction = (mean: boolean) => (original: tf.KernelFunc) => (args: Parameters<tf.KernelFunc>[0]) => {
    const { x } = args.inputs as unknown as { x?: tf.TensorInfo };
    const shape = x ? leadingAxesReduction(x, (args.attrs as unknown as { axis: number | number[] }).axis) : null;
    return shape ? reduceLeadingAxes(args, mean, shape) : original(args);
  };
  const sum = wrapKernel('webgpu', tf.Sum, reduction(false));
  const mean = wrapKernel('webgpu', tf.Mean, reduction(true));
  return sum || mean;
}
