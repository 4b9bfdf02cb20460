import * as tf from '@tensorflow/tfjs';
import { KernelScope } from './kernel-scope.ts';
import { PartialSumsProgram, partialSumChunk, type WebGpuBackendLike } from './webgpu-partial-sums.ts';

/**
 * partial[c, f] = Σ over chunk c's positions p = (n, oh, ow) of x[n, oh·sh + fh·dh − top, ow·sw + fw·dw − left, ci] · dy[n, oh, ow, co],
 * f = (fh, fw, ci, co) flattened: one thread per (chunk, filter value), NHWC. tfjs's own kernel has
 * one thread per filter value walking every position (144 threads for a first layer); here the
 * positions are cut into chunks so that the GPU gets ~2¹⁸ threads, and a Sum adds the chunks after.
 * Reads are coalesced: neighbouring threads differ in co, so they read neighbouring dy values and
 * the same x value.
 */
class FilterGradChunksProgram extends PartialSumsProgram {
  readonly variableNames = ['x', 'dy'];
  readonly uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, dilations : vec2<i32>, outHeight : i32, outWidth : i32, inHeight : i32, inWidth : i32, positions : i32, chunk : i32, filterWidth : i32, inChannels : i32, outChannels : i32,';
  shaderKey = 'shardgradConv2DFilterGradChunks';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let f = coords[1];
          let d2 = f % uniforms.outChannels;
          let t = f / uniforms.outChannels;
          let d1 = t % uniforms.inChannels;
          let t2 = t / uniforms.inChannels;
          let wC = t2 % uniforms.filterWidth;
          let wR = t2 / uniforms.filterWidth;
          let start = coords[0] * uniforms.chunk;
          let end = min(start + uniforms.chunk, uniforms.positions);
          let perImage = uniforms.outHeight * uniforms.outWidth;
          var b = start / perImage;
          let rem = start % perImage;
          var yR = rem / uniforms.outWidth;
          var yC = rem % uniforms.outWidth;
          var sum = 0.0;
          for (var p = start; p < end; p = p + 1) {
            let xR = yR * uniforms.strides[0] + wR * uniforms.dilations[0] - uniforms.pads[0];
            let xC = yC * uniforms.strides[1] + wC * uniforms.dilations[1] - uniforms.pads[1];
            if (xR >= 0 && xR < uniforms.inHeight && xC >= 0 && xC < uniforms.inWidth) {
              sum = sum + getX(b, xR, xC, d1) * getDy(b, yR, yC, d2);
            }
            yC = yC + 1;
            if (yC == uniforms.outWidth) {
              yC = 0;
              yR = yR + 1;
              if (yR == uniforms.outHeight) {
                yR = 0;
                b = b + 1;
              }
            }
          }
          setOutputAtIndex(index, sum);
        }
      }
    `;
  }
}

/** The Conv2D filter gradient (NHWC) as chunked partial sums on the GPU, then their Sum. */
export function conv2dBackpropFilterByChunks(args: Parameters<tf.KernelFunc>[0], backendName: string): tf.TensorInfo {
  const { x, dy } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  const backend = args.backend as WebGpuBackendLike;
  const filterSize = tf.util.sizeFromShape(filterShape);
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const chunk = partialSumChunk(positions, filterSize);
  const chunks = Math.max(1, Math.ceil(positions / chunk));
  const scope = new KernelScope(backendName, backend);
  const partial = backend.runWebGPUProgram(new FilterGradChunksProgram([chunks, filterSize]), [x, dy], 'float32', [
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.dilationHeight, info.dilationWidth] },
    { type: 'int32', data: [info.outHeight] },
    { type: 'int32', data: [info.outWidth] },
    { type: 'int32', data: [info.inHeight] },
    { type: 'int32', data: [info.inWidth] },
    { type: 'int32', data: [positions] },
    { type: 'int32', data: [chunk] },
    { type: 'int32', data: [info.filterWidth] },
    { type: 'int32', data: [info.inChannels] },
    { type: 'int32', data: [info.outChannels] },
  ]);
  scope.track(partial);
  const summed = scope.run(tf.Sum, { x: partial }, { axis: [0], keepDims: false });
  const out = scope.reshape(summed, filterShape);
  scope.dispose(out);
  return out;
}
