import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, expect } from 'vitest';
import { computeOn, worstRelativeError } from '../../testing.ts';
import { installWasmFastPaths, registerWasmKernels } from '../register.ts';
import { gradientKernelCalls } from './gradient-kernels.ts';
import { loadGradientKernels } from './load-gradient-kernels.node.ts';

/** Before the calling spec file's tests: our kernels registered, the wasm backend on, the SIMD modules bound to it. */
export function useSimdKernels(): void {
  beforeAll(async () => {
    registerWasmKernels();
    await tf.setBackend('wasm');
    await tf.ready();
    installWasmFastPaths();
    expect(await loadGradientKernels(tf.backend() as BackendWasm)).toBe(true);
  });
}

type Kernel = keyof ReturnType<typeof gradientKernelCalls>;

/** cpu's answer, wasm's answer, and how many times `kernel` ran while wasm computed it. */
export async function compare(kernel: Kernel, fn: () => tf.Tensor[]) {
  const want = await computeOn('cpu', fn);
  const before = gradientKernelCalls()[kernel];
  const got = await computeOn('wasm', fn);
  return { error: worstRelativeError(got, want), calls: gradientKernelCalls()[kernel] - before, got, want };
}
