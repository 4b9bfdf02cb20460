import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './replace-kernel.ts';
import { WasmScope } from './wasm-kernel-utils.ts';
import { KERNEL_ACTIVATIONS, gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';
import { winogradApplies, winogradConv3x3 } from './winograd.wasm.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/**
 * A forward Conv2D (+ bias, then relu or nothing) in our SIMD module (conv2d_valid in
 * simd/conv.wat), or null where it does not apply: no module on this backend, NCHW, non-float
 * operands, output channels not a multiple of 8, a bias that is not one per output channel.
 * Padding is applied first as a copy with zeros (PadV2), so the kernel only ever reads inside x.
 *
 * Why: XNNPACK packs a conv's filter anew whenever the filter is a new tensor, which in training is
 * every round, and its rate on the small CNN's layers was 3–7 GMAC/s here; ours reads the filter in
 * place at 10–13 GMAC/s (fused multiply-adds). (The input gradient has kernels of its own: see
 * conv2d-backprop-input.wasm.ts.)
 */
export function simdConv2D(
  backend: BackendWasm, x: tf.TensorInfo, filter: tf.TensorInfo, attrs: ConvAttrs, bias?: tf.TensorInfo,
): tf.TensorInfo | null {
  const simd = gradientKernelsFor(backend);
  const act = KERNEL_ACTIVATIONS[attrs.activation ?? 'linear'];
  if (simd == null || act === undefined || attrs.dataFormat === 'NCHW') return null;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  if (info.outChannels % 8 !== 0 || info.inChannels !== filter.shape[2]) return null;
  if (bias != null && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== info.outChannels)) return null;
  const { top, bottom, left, right } = info.padInfo;
  if (Math.min(top, bottom, left, right) < 0) return null;
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co } = info;
  if (winogradApplies(fh, fw, [info.strideHeight, info.strideWidth], [info.dilationHeight, info.dilationWidth], ci, co)) {
    return winogradConv3x3(backend, x, filter, false, { top, left }, { height: info.outHeight, width: info.outWidth, channels: co }, bias, act);
  }
  const scope = new WasmScope(backend);
  try {
    const input = top + bottom + left + right === 0
      ? x
      : scope.run(tf.PadV2, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
    const out = backend.makeOutput(info.outShape, 'float32');
    if (info.outHeight * info.outWidth * info.batchSize > 0) {
      simd.conv2d_valid(
        heapOffset(backend, input), heapOffset(backend, filter), bias ? heapOffset(backend, bias) : 0, heapOffset(backend, out),
        info.batchSize, input.shape[1]!, input.shape[2]!, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
        info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, act,
      );
    }
    return out;
  } finally {
    scope.dispose();
  }
}

/**
 * Conv2D, and FusedConv2D with a linear or relu activation, through simdConv2D where it applies;
 * the original kernels otherwise.
 */
export function installConv2D(): string[] {
  const done: string[] = [];
  const plain = wrapWasmKernel(tf.Conv2D, (originalFunc) => (args: KernelArgs) => {
    const { x, filter } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
    if (!x || !filter) return originalFunc(args);
    return simdConv2D(args.backend as BackendWasm, x, filter, args.attrs as unknown as ConvAttrs) ?? originalFunc(args);
  });
  if (plain) done.push(tf.Conv2D);
  const fused = wrapWasmKernel(tf.FusedConv2D, (originalFunc) => (args: KernelArgs) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
    if (!x || !filter || preluActivationWeights != null) return originalFunc(args);
    return simdConv2D(args.backend as BackendWasm, x, filter, args.attrs as unknown as ConvAttrs, bias) ?? originalFunc(args);
  });
  if (fused) done.push(tf.FusedConv2D);
  return done;
}
