import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, cropThenPad, WasmScope, inputsOf } from './wasm-kernel-utils.ts';
import { filterGradPads } from './conv-geometry.ts';

/**
 * Depthwise filter gradient as ONE depthwise conv, with no wasted work:
 *
 *   dW[kh,kw,c,m] = Σ_n Σ_{oh,ow} x[n, oh·s + kh·d − pad, …, c] · dy[n, oh, ow, c·M + m]
 *
 * Fold the batch into the channels: x becomes a single image [1, H, W, N·C] and dy a depthwise
 * filter [OH, OW, N·C, M]. A depthwise conv with stride = original dilation and dilation =
 * original stride then yields [1, FH, FW, N·C·M]; summing over n leaves [FH, FW, C, M].
 */
export function depthwiseConv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = inputsOf(tf.DepthwiseConv2dNativeBackpropFilter, args.inputs, 'x', 'dy');
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const [n, h, w, c] = x.shape;
  const [fh, fw, , m] = attrs.filterShape;
  const { outHeight: oh, outWidth: ow } = info;
  if (!tf.util.arraysEqual(dy.shape, [n, oh, ow, c * m])) {
    throw new Error(`DepthwiseConv2dNativeBackpropFilter: dy shape ${dy.shape} does not match ${[n, oh, ow, c * m]}`);
  }

  const scope = new WasmScope(backend);
  return scope.keepOnly(() => {
    const xT = scope.reshape(scope.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]);
    const dyT = scope.reshape(scope.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * c, m]);
    const { input, pad } = cropThenPad(scope, xT, filterGradPads(info));
    const perSample = scope.run(
      tf.DepthwiseConv2dNative,
      { x: input, filter: dyT },
      {
        strides: [info.dilationHeight, info.dilationWidth],
        dilations: [info.strideHeight, info.strideWidth],
        pad,
      },
    );
    const out = n === 1
      ? scope.reshape(perSample, [fh, fw, c, m])
      : scope.reshape(
          scope.run(tf.Sum, { x: scope.reshape(perSample, [fh, fw, n, c * m]) }, { axis: [2], keepDims: false }),
          [fh, fw, c, m],
        );
    return out;
  });
}

export const depthwiseConv2dBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dBackpropFilterWasm as tf.KernelFunc,
};
