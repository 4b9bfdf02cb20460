import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdConv2D } from '../kernels/conv2d.wasm.ts';
import { gradientKernelsFor } from '../kernels/simd/gradient-kernels.ts';
import { asWasmBackend } from '../kernels/wasm-kernel-utils.ts';
import { isReluGated, markReluOutput } from '../kernels/relu-provenance.ts';
import { RELU_GRAD } from './relu-grad.ts';

/** Our kernel: relu(conv2d(x, filter) + bias), NHWC, no dilation, with a gradient of its own. */
export const CONV2D_BIAS_RELU = 'ShardgradConv2DBiasRelu';

interface ConvBiasReluAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type FusedConv2dArgs = Parameters<typeof tf.fused.conv2d>[0];

/**
 * The forward pass in our SIMD module (conv2d_valid with its bias and relu), or tfjs's own
 * FusedConv2D where that kernel does not apply.
 */
export const conv2dBiasReluWasmConfig: tf.KernelConfig = {
  kernelName: CONV2D_BIAS_RELU,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const wasm = asWasmBackend(backend);
    const { x, filter, bias } = inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo };
    const a = attrs as unknown as ConvBiasReluAttrs;
    const fusedAttrs = { ...a, dataFormat: 'NHWC' as const, dilations: 1, activation: 'relu' };
    const ours = simdConv2D(wasm, x, filter, fusedAttrs, bias);
    if (ours) {
      markReluOutput(ours.dataId);
      return ours;
    }
    const theirs = tf.getKernel(tf.FusedConv2D, 'wasm')!;
    return theirs.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: { ...fusedAttrs, dilations: [1, 1] } as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
  },
};

/**
 * One relu pass shared by the three gradients, each computed only where the tape needs it (the
 * first layer's input gradient never is). Relu's output is positive exactly where its input is,
 * so the saved output gates dy as tfjs-core's fused gradient does.
 */
export const conv2dBiasReluGradConfig: tf.GradConfig = {
  kernelName: CONV2D_BIAS_RELU,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dimRoundingMode } = attrs as unknown as ConvBiasReluAttrs;
    const engine = tf.engine();
    // A max pool's gradient over this output may have gated itself already (relu-provenance.ts).
    const g = isReluGated((dy as tf.Tensor).dataId) ? (dy as tf.Tensor4D) : (engine.runKernel(RELU_GRAD, { x: y, dy: dy as tf.Tensor }) as tf.Tensor4D);
    const common = { strides, pad, dataFormat: 'NHWC', dimRoundingMode };
    return {
      x: () => engine.runKernel(tf.Conv2DBackpropInput, { dy: g, filter }, { ...common, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      filter: () => engine.runKernel(tf.Conv2DBackpropFilter, { x, dy: g }, { ...common, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      bias: () => tf.sum(g, [0, 1, 2]),
    };
  },
};

const ones = (v: number | number[] | undefined) => v === undefined || (Array.isArray(v) ? v.every((d) => d === 1) : v === 1);

/**
 * Whether a training-mode fused conv2d can be our kernel: relu, NHWC, no dilation, float32 rank-4
 * operands, a per-channel bias or none, output channels in eights (conv2d_valid's blocking), on
 * wasm with our SIMD module loaded. Outside gradient mode tfjs fuses by itself.
 */
function fits(a: FusedConv2dArgs): boolean {
  if (a.activation !== 'relu' || a.preluActivationWeights != null || (a.dataFormat ?? 'NHWC') !== 'NHWC' || !ones(a.dilations as number | number[] | undefined)) return false;
  if (tf.engine().state.gradientDepth === 0 || tf.getBackend() !== 'wasm' || gradientKernelsFor(tf.backend() as BackendWasm) == null) return false;
  const { x, filter, bias } = a;
  if (!(x instanceof tf.Tensor) || !(filter instanceof tf.Tensor) || x.rank !== 4 || filter.rank !== 4) return false;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || filter.shape[2] !== x.shape[3]) return false;
  const outChannels = filter.shape[3]!;
  if (outChannels % 8 !== 0) return false;
  return bias == null || (bias instanceof tf.Tensor && bias.dtype === 'float32' && bias.size === outChannels);
}

let installed = false;

/**
 * A conv layer with relu, under a gradient tape, runs as one kernel of ours with one gradient.
 *
 * Why: tfjs-core's fused conv2d refuses to fuse a non-linear activation while gradients are taken
 * (fused_util.shouldFuse), so each conv layer of a net in training becomes Conv2D, Add and Relu,
 * two more passes over its output; for the small CNN at batch 64 on wasm, 0.37 of a 7.7 ms step.
 * The layers call `tf.fused.conv2d` through tfjs-core's exported `fused` object, which in Node's
 * CommonJS bundles is a plain object: that call is wrapped, and everything that does not fit ours
 * goes to tfjs's function unchanged. Where the object cannot be written (ES module namespaces in a
 * browser bundle) nothing changes. Registers the kernel and its gradient too. Idempotent; returns
 * whether the wrapper is in place.
 */
export function installFusedConvTraining(): boolean {
  if (tf.getKernel(CONV2D_BIAS_RELU, 'wasm') == null) tf.registerKernel(conv2dBiasReluWasmConfig);
  tf.registerGradient(conv2dBiasReluGradConfig);
  if (installed) return true;
  const fused = tf.fused as { conv2d: typeof tf.fused.conv2d };
  const original = fused.conv2d;
  const wrapped = ((a: FusedConv2dArgs) => {
    if (!fits(a)) return original(a);
    const inputs = a.bias == null ? { x: a.x, filter: a.filter } : { x: a.x, filter: a.filter, bias: a.bias };
    const attrs = { strides: a.strides, pad: a.pad, dimRoundingMode: a.dimRoundingMode };
    return tf.engine().runKernel(CONV2D_BIAS_RELU, inputs as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }) as typeof tf.fused.conv2d;
  try {
    fused.conv2d = wrapped;
  } catch {
    return false;
  }
  installed = fused.conv2d === wrapped;
  return installed;
}
