import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { compileWat } from '../../wasm-text.node.ts';
import { bindGradientKernels, gradientKernelsBoundTo, memoryOf, type GradientKernels } from './gradient-kernels.ts';
import { KERNEL_MODULE_NAMES } from './kernel-binaries.ts';

/** Our WebAssembly modules' texts (kernel-binaries.ts names them). */
export const KERNEL_MODULES = KERNEL_MODULE_NAMES.map((name) => new URL(`./${name}.wat`, import.meta.url));

/**
 * Assembles the kernel modules with wabt and instantiates them on the backend's memory, once per
 * process. Returns false (and the callers keep their other paths) where that cannot work: no SIMD
 * in this engine, a shared memory (wasm threads: the modules would need to declare it shared), or
 * a tfjs build that does not expose its memory.
 */
export async function loadGradientKernels(backend: BackendWasm): Promise<boolean> {
  const memory = memoryOf(backend);
  if (memory == null || memory.buffer instanceof SharedArrayBuffer) return false;
  if (gradientKernelsBoundTo(memory)) return true;
  const modules = await Promise.all(KERNEL_MODULES.map((url) => compileWat(url)));
  if (modules.some((m) => m === undefined)) return false;
  const instances = await Promise.all(modules.map((m) => WebAssembly.instantiate(m!, { env: { memory } })));
  const exports = Object.assign({}, ...instances.map((i) => i.exports)) as unknown as GradientKernels;
  bindGradientKernels(memory, exports);
  return true;
}
