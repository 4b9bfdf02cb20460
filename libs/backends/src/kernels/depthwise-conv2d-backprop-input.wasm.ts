import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, cropThenPad, WasmScope, inputsOf, stuffByStride } from './wasm-kernel-utils.ts';
import { inputGradPads } from './conv-geometry.ts';

/**
 * Depthwise input gradient as a transposed conv built from wasm's own kernels:
 *
 *   dx[n,h,w,c] = Σ_m Σ_{kh,kw} dy[n, (h + pad − kh·d)/s, …, c·M + m] · W[kh,kw,c,m]
 *
 * Zero-stuff dy by the stride (Pad on a [N,OH,1,OW,1,C·M] view, then reshape), run a stride-1
 * depthwise conv with the spatially flipped filter as C·M channels of multiplier 1, then sum the M
 * multipliers of each input channel.
 */
export function depthwiseConv2dBackpropInputWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = inputsOf(tf.DepthwiseConv2dNativeBackpropInput, args.inputs, 'dy', 'filter');
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const [n, h, w, c] = attrs.inputShape;
  const [fh, fw, , m] = filter.shape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  if (!tf.util.arraysEqual(dy.shape, [n, oh, ow, c * m])) {
    throw new Error(`DepthwiseConv2dNativeBackpropInput: dy shape ${dy.shape} does not match ${[n, oh, ow, c * m]}`);
  }

  const scope = new WasmScope(backend);
  return scope.keepOnly(() => {
    const stuffed = stuffByStride(scope, dy, sh, sw);
    const flipped = scope.reshape(scope.run(tf.Reverse, { x: filter }, { dims: [0, 1] }), [fh, fw, c * m, 1]);
    const { input, pad } = cropThenPad(scope, stuffed, inputGradPads(info, oh * sh, ow * sw));
    const perMultiplier = scope.run(
      tf.DepthwiseConv2dNative,
      { x: input, filter: flipped },
      { strides: [1, 1], dilations: [info.dilationHeight, info.dilationWidth], pad },
    );
    const out = m === 1
      ? perMultiplier
      : scope.run(tf.Sum, { x: scope.reshape(perMultiplier, [n, h, w, c, m]) }, { axis: [4], keepDims: false });
    return out;
  });
}

export const depthwiseConv2dBackpropInputWasmConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dBackpropInputWasm as tf.KernelFunc,
};
