import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { compileWat } from '../../wasm-text.node.ts';
import { bindGradientKernels, gradientKernelsBoundTo, memoryOf, type GradientKernels } from './gradient-kernels.ts';

/**
 * Assembles gradient-kernels.wat with wabt and instantiates it on the backend's memory, once per
 * process. Returns false (and the callers keep their other paths) where that cannot work: no SIMD
 * in this engine, a shared memory (wasm threads: the module would need to declare it shared), or
 * a tfjs build that does not expose its memory.
 */
export async function loadGradientKernels(backend: BackendWasm): Promise<boolean> {
  const memory = memoryOf(backend);
  if (memory == null || memory.buffer instanceof SharedArrayBuffer) return false;
  if (gradientKernelsBoundTo(memory)) return true;
  const module = await compileWat(new URL('./gradient-kernels.wat', import.meta.url));
  if (!module) return false;
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  bindGradientKernels(memory, instance.exports as unknown as GradientKernels);
  return true;
}
