import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { asWasmBackend, cropThenPad, inputsOf, stuffByStride, WasmScope } from './wasm-kernel-utils.ts';
import { inputGradPads } from './conv-geometry.ts';
import { gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';
import { winogradApplies, winogradConv3x3 } from './winograd.wasm.ts';

/**
 * At most this many input channels go to our SIMD kernel: its cost grows with them, XNNPACK's does
 * not (a first layer's image: 7.5 ms on XNNPACK for [64, 28, 28, 1] from 16 channels, 3.7 ms in ours,
 * both inside a real step).
 */
const SIMD_MAX_IN_CHANNELS = 2;

/**
 * dx by conv2d_input_grad_scatter: each dy pixel's terms are added where the forward pass read its
 * inputs, into a dx padded as the forward pass padded x, then cropped. Multiplies no padding and
 * stuffs no zeros for strides: the small CNN's second layer 4.3 → 3.0 ms (the conv of padded dy
 * through our forward kernel), 6.0 ms through XNNPACK (which packs the flipped filter every call).
 */
function scatterInputGrad(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const simd = gradientKernelsFor(backend)!;
  const { top, bottom, left, right } = info.padInfo;
  const padded = top + bottom + left + right > 0;
  const [h, w] = [info.inHeight + top + bottom, info.inWidth + left + right];
  const scope = new WasmScope(backend);
  return scope.keepOnly(() => {
    // [fh, fw, ci, co] → [co, fh, fw, ci]: one dy value meets a contiguous row of filter terms.
    const wT = scope.transpose(filter, [3, 0, 1, 2]);
    const dx = backend.makeOutput([info.batchSize, h, w, info.inChannels], 'float32');
    scope.track(dx);
    simd.conv2d_input_grad_scatter(
      heapOffset(backend, dy), heapOffset(backend, wT), heapOffset(backend, dx),
      info.batchSize, h, w, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    );
    const out = padded
      ? scope.run(tf.Slice, { x: dx }, { begin: [0, top, left, 0], size: [info.batchSize, info.inHeight, info.inWidth, info.inChannels] })
      : dx;
    return out;
  });
}

/**
 * tfjs 4.22's wasm Conv2DBackpropInput is a plain loop: 140 ms of a 160 ms CNN step here (the
 * peer's conv16-pool-conv32-pool-dense10 at batch 64). The input gradient is a transposed
 * convolution, which XNNPACK's forward Conv2D computes far faster:
 *
 *   dx = Conv2D(zero-stuffed dy, filter flipped in space with in/out channels swapped, stride 1)
 *
 * Installed over the original as a fast path (NHWC, no dilation — the only case the op has).
 */
export function conv2dBackpropInputWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = inputsOf(tf.Conv2DBackpropInput, args.inputs, 'dy', 'filter');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    attrs.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast',
  );
  const [n, , , inC] = attrs.inputShape;
  const [fh, fw, , outC] = filter.shape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const simd = gradientKernelsFor(backend);
  if (simd != null && sh === 1 && sw === 1 && inC! <= SIMD_MAX_IN_CHANNELS && outC! % 4 === 0 && attrs.dataFormat !== 'NCHW') {
    const out = backend.makeOutput(attrs.inputShape, 'float32');
    simd.conv2d_input_grad(
      heapOffset(backend, dy), heapOffset(backend, filter), heapOffset(backend, out),
      n!, info.inHeight, info.inWidth, inC!, oh, ow, outC!, fh!, fw!, info.padInfo.top, info.padInfo.left,
    );
    return out;
  }
  if (simd != null && attrs.dataFormat !== 'NCHW' && winogradApplies(fh!, fw!, [sh, sw], [1, 1], outC!, inC!)
    && Math.max(info.padInfo.top, info.padInfo.bottom, info.padInfo.left, info.padInfo.right) <= 2) {
    // dx is the valid conv of dy, padded by the filter's reach less the forward padding, with the filter flipped and its channels swapped.
    return winogradConv3x3(backend, dy, filter, true, { top: fh! - 1 - info.padInfo.top, left: fw! - 1 - info.padInfo.left },
      { height: info.inHeight, width: info.inWidth, channels: inC! }, undefined, 0);
  }
  if (simd != null && inC! % 8 === 0 && attrs.dataFormat !== 'NCHW') return scatterInputGrad(backend, dy, filter, info);
  const scope = new WasmScope(backend);
  return scope.keepOnly(() => {
    const stuffed = stuffByStride(scope, dy, sh, sw);
    // [fh, fw, inC, outC] → flipped in space → [fh, fw, outC, inC].
    const flipped = scope.transpose(scope.run(tf.Reverse, { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    const { input, pad } = cropThenPad(scope, stuffed, inputGradPads(info, oh * sh, ow * sw));
    const out = scope.run(tf.Conv2D, { x: input, filter: flipped }, { strides: [1, 1], dilations: [1, 1], pad, dataFormat: 'NHWC' });
    if (!tf.util.arraysEqual(out.shape, [n!, info.inHeight, info.inWidth, inC!])) {
      throw new Error(`Conv2DBackpropInput: produced ${out.shape}, expected ${attrs.inputShape}`);
    }
    return out;
  });
}
