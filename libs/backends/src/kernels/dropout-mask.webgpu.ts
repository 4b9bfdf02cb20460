import * as tf from '@tensorflow/tfjs';
import { MULBERRY_STEP } from '@shardgrad/data/seeded-random';
import { DROPOUT_MASK_KERNEL, type DropoutMaskAttrs, keepThreshold } from './dropout-mask-kernel.ts';
import { PartialSumsProgram, type WebGpuBackendLike } from './webgpu-partial-sums.ts';

/**
 * One thread per unit of a [rows, perRow] mask (PartialSumsProgram's flat layout, one value per
 * thread). A worker drew these in JavaScript and uploaded them: on an H200, 6.4 M units for the
 * CNN at 4,096 samples were the largest CPU cost of a round after the GPU step, and 25 MB to upload.
 */
class DropoutMaskProgram extends PartialSumsProgram {
  readonly variableNames = ['seeds'];
  readonly uniforms = 'perRow : i32, threshold : u32, keep : f32,';
  shaderKey = 'shardgradDropoutMask';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let r = index / uniforms.perRow;
          let j = index - r * uniforms.perRow;
          // The buffer itself, not getSeeds: that reads through f32, which keeps 24 of the 32 bits.
          let a = bitcast<u32>(seeds[r]) + u32(j + 1) * ${MULBERRY_STEP}u;
          var t = (a ^ (a >> 15u)) * (a | 1u);
          t = t ^ (t + (t ^ (t >> 7u)) * (t | 61u));
          let u = t ^ (t >> 14u);
          setOutputAtIndex(index, select(0.0, uniforms.keep, u >= uniforms.threshold));
        }
      }
    `;
  }
}

function dropoutMaskWebgpu(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { seeds } = args.inputs as unknown as { seeds: tf.TensorInfo };
  const { perRow, rate } = args.attrs as unknown as DropoutMaskAttrs;
  const backend = args.backend as WebGpuBackendLike;
  const rows = seeds.shape[0]!;
  const threshold = keepThreshold(rate);
  if (threshold >= 4294967296 || rows * perRow === 0) return backend.makeTensorInfo([rows, perRow], 'float32', new Float32Array(rows * perRow));
  return backend.runWebGPUProgram(new DropoutMaskProgram([rows, perRow]), [seeds], 'float32', [
    { type: 'int32', data: [perRow] },
    { type: 'uint32', data: [threshold] },
    { type: 'float32', data: [1 / (1 - rate)] },
  ]);
}

/** Registers the mask kernel for the WebGPU backend, once; false where it already is. */
export function installWebgpuDropoutMasks(): boolean {
  if (tf.getKernel(DROPOUT_MASK_KERNEL, 'webgpu') != null) return false;
  tf.registerKernel({ kernelName: DROPOUT_MASK_KERNEL, backendName: 'webgpu', kernelFunc: dropoutMaskWebgpu as unknown as tf.KernelFunc });
  return true;
}
