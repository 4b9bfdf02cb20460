import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasmConfig } from './conv2d-backprop-filter.wasm.ts';
import { depthwiseConv2dBackpropFilterWasmConfig } from './depthwise-conv2d-backprop-filter.wasm.ts';
import { depthwiseConv2dBackpropInputWasmConfig } from './depthwise-conv2d-backprop-input.wasm.ts';
import { unsortedSegmentSumWasmConfig } from './unsorted-segment-sum.wasm.ts';
import { registerGradientOverrides } from '../gradients/register.ts';
import { installBatchMatMulTransposed } from './batch-mat-mul-transposed.wasm.ts';
import { installMeanLeadingAxes, installSumLeadingAxes } from './sum-leading-axes.wasm.ts';
import { installChannelBroadcast } from './channel-broadcast.wasm.ts';
import { installMaxPool } from './max-pool.wasm.ts';
import { installFusedMatMul } from './fused-mat-mul.wasm.ts';
import { installConv2D } from './conv2d.wasm.ts';
import { installSharedIdentity } from './shared-identity.wasm.ts';
import { installTile } from './tile.wasm.ts';
import { installBatchNorm } from './batch-norm.wasm.ts';
import { conv2dBackpropInputWasm } from './conv2d-backprop-input.wasm.ts';
import { maxPoolGradWasm } from './max-pool-grad.wasm.ts';
import { replaceWasmKernel } from './replace-kernel.ts';

/** Our gradient kernels for the wasm backend, in registration order. */
export const wasmKernelConfigs: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterWasmConfig,
  unsortedSegmentSumWasmConfig,
  depthwiseConv2dBackpropFilterWasmConfig,
  depthwiseConv2dBackpropInputWasmConfig,
];

/**
 * Registers the kernels tfjs 4.22's wasm backend lacks. Idempotent, and it never replaces a kernel
 * someone else registered (a future tfjs that ships its own wins). Needs no wasm module loaded:
 * registration is by name, so it may run before or after `setBackend('wasm')`.
 * Returns the names it registered on this call.
 */
export function registerWasmKernels(): string[] {
  // Not kernels, but the same purpose: batch norm's tile-free gradient (a third of a conv net's step on wasm), and others.
  registerGradientOverrides();
  const added: string[] = [];
  for (const config of wasmKernelConfigs) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}

/** Kernel names (of those we provide) that still have no wasm kernel registered. */
export function missingWasmKernels(): string[] {
  return wasmKernelConfigs
    .map((c) => c.kernelName)
    .filter((name) => tf.getKernel(name, 'wasm') == null);
}

/**
 * Replaces slow paths of kernels wasm does have with faster formulations (see each file for the
 * measurement). Call after the wasm backend module is imported, since it wraps its kernels.
 * Idempotent; returns what it installed on this call.
 */
export function installWasmFastPaths(): string[] {
  const done: string[] = [];
  if (installBatchMatMulTransposed()) done.push(`${tf.BatchMatMul} with transposeA or transposeB`);
  if (replaceWasmKernel(tf.Conv2DBackpropInput, conv2dBackpropInputWasm as tf.KernelFunc)) done.push(tf.Conv2DBackpropInput);
  if (replaceWasmKernel(tf.MaxPoolGrad, maxPoolGradWasm as tf.KernelFunc)) done.push(tf.MaxPoolGrad);
  if (installSumLeadingAxes()) done.push(`${tf.Sum} over leading axes`);
  if (installMeanLeadingAxes()) done.push(`${tf.Mean} over leading axes`);
  for (const name of installChannelBroadcast()) done.push(`${name} with a per-channel vector`);
  if (installMaxPool()) done.push(`${tf.MaxPool} over windows inside the input`);
  if (installFusedMatMul()) done.push(`${tf._FusedMatMul} reading its weights in place`);
  for (const name of installConv2D()) done.push(`${name} reading its filter in place`);
  if (installSharedIdentity()) done.push(`${tf.Identity} sharing its input's data`);
  if (installTile()) done.push(`${tf.Tile} as block copies`);
  if (installBatchNorm()) done.push(`${tf.FusedBatchNorm} with per-channel statistics`);
  return done;
}
