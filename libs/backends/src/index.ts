// Isomorphic entry: kernels and pure helpers only. Node-only backend selection is in ./node.
export { registerWasmKernels, missingWasmKernels, wasmKernelConfigs, installWasmFastPaths } from './kernels/register.ts';
export { conv2dBackpropFilterWasm, conv2dBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter.wasm.ts';
export { installFusedConvTraining } from './gradients/fused-conv-training.ts';
export { loadGradientKernelsFrom } from './kernels/simd/load-gradient-kernels.browser.ts';
export { installWebgpuLeadingAxesReductions } from './kernels/sum-leading-axes.webgpu.ts';
export { installWebgpuDropoutMasks } from './kernels/dropout-mask.webgpu.ts';
export { boundWebgpuBufferPool, endWebgpuStep, KEEP_STEPS, type BoundedPool } from './webgpu-buffer-pool.ts';
export { installWebgpuConv2dBackpropFilter, setWebgpuFilterGradMethod, type WebgpuFilterGradMethod } from './kernels/conv2d-backprop-filter.webgpu.ts';
export { unsortedSegmentSumWasm, unsortedSegmentSumWasmConfig } from './kernels/unsorted-segment-sum.wasm.ts';
export {
  depthwiseConv2dBackpropFilterWasm,
  depthwiseConv2dBackpropFilterWasmConfig,
} from './kernels/depthwise-conv2d-backprop-filter.wasm.ts';
export {
  depthwiseConv2dBackpropInputWasm,
  depthwiseConv2dBackpropInputWasmConfig,
} from './kernels/depthwise-conv2d-backprop-input.wasm.ts';
export { filterGradPads, inputGradPads, type ConvGeometry } from './kernels/conv-geometry.ts';
export type { SpatialPads } from './kernels/wasm-kernel-utils.ts';
export {
  NODE_BACKEND_NAMES,
  isNodeBackendName,
  parseNodeBackendName,
  type NodeBackendName,
} from './backend-name.ts';
