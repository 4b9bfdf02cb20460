import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, cropThenPad, WasmScope, inputsOf } from './wasm-kernel-utils.ts';
import { filterGradPads } from './conv-geometry.ts';
import { gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';
import { winogradApplies, winogradFilterGrad3x3 } from './winograd.wasm.ts';

/**
 * tfjs 4.22's wasm backend has no Conv2DBackpropFilter (tfjs#8474), so conv2d, conv1d,
 * separableConv2d and conv2dTranspose cannot train there. The filter gradient is itself a
 * convolution, which wasm does fast (XNNPACK):
 *
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pad, …, ci] · dy[n, oh, ow, co]
 *
 * Read x as a batch of `ci` images with `n` channels and dy as an (OH×OW) filter from `n` to `co`
 * channels: that is a forward Conv2D whose stride is the original dilation and whose dilation is
 * the original stride. Its output [ci, kh, kw, co] is transposed to the filter layout.
 *
 * That conv has an OH×OW filter, which XNNPACK packs anew on every call (a fresh dy each step):
 * 7–9 ms per layer of the small CNN at batch 64, most of it packing. Where our SIMD module is loaded
 * (Node, see simd/) and the output channels come in sixteens, a direct loop replaces it; a 3×3
 * stride-1 conv with at least 8 input channels goes through Winograd's transform instead (winograd.wasm.ts:
 * the small CNN's second layer 1.20 → 0.83 ms, a same-padded one 1.79 → 1.11 ms).
 */
export function conv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = inputsOf(tf.Conv2DBackpropFilter, args.inputs, 'x', 'dy');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs & {
    // Not in tfjs's attrs (its conv2d gradient rejects dilations > 1); accepted for TF parity.
    dilations?: [number, number] | number;
  };
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    dataFormat,
  );
  const expectedDy = dataFormat === 'channelsLast'
    ? [info.batchSize, info.outHeight, info.outWidth, info.outChannels]
    : [info.batchSize, info.outChannels, info.outHeight, info.outWidth];
  if (!tf.util.arraysEqual(dy.shape, expectedDy)) {
    throw new Error(`Conv2DBackpropFilter: dy shape ${dy.shape} does not match the conv output ${expectedDy}`);
  }

  const simd = gradientKernelsFor(backend);
  if (simd != null && dataFormat === 'channelsLast'
    && winogradApplies(info.filterHeight, info.filterWidth, [info.strideHeight, info.strideWidth], [info.dilationHeight, info.dilationWidth], info.inChannels, info.outChannels)) {
    return winogradFilterGrad3x3(backend, x, dy, { top: info.padInfo.top, left: info.padInfo.left });
  }
  if (simd != null && dataFormat === 'channelsLast' && info.outChannels % 16 === 0) {
    const out = backend.makeOutput(attrs.filterShape, 'float32');
    simd.conv2d_filter_grad(
      heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out),
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
      info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    );
    return out;
  }

  const scope = new WasmScope(backend);
  return scope.keepOnly(() => {
    const channelsLast = dataFormat === 'channelsLast';
    // x → [ci, h, w, n]; dy → [oh, ow, n, co].
    const xT = scope.transpose(x, channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0]);
    const dyT = scope.transpose(dy, channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1]);
    const { input, pad } = cropThenPad(scope, xT, filterGradPads(info));
    const grad = scope.run(
      tf.Conv2D,
      { x: input, filter: dyT },
      {
        strides: [info.dilationHeight, info.dilationWidth],
        dilations: [info.strideHeight, info.strideWidth],
        pad,
        dataFormat: 'NHWC',
      },
    );
    const out = scope.transpose(grad, [1, 2, 0, 3]);
    return out;
  });
}

export const conv2dBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm as tf.KernelFunc,
};
