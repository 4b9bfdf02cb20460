import { readFileSync } from 'node:fs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
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
  const wabt = await (await import('wabt')).default();
  const source = readFileSync(new URL('./gradient-kernels.wat', import.meta.url), 'utf8');
  const parsed = wabt.parseWat('gradient-kernels.wat', source, { simd: true });
  try {
    parsed.validate();
    const bytes = new Uint8Array(parsed.toBinary({}).buffer);
    if (!WebAssembly.validate(bytes)) return false;
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { env: { memory } });
    bindGradientKernels(memory, instance.exports as unknown as GradientKernels);
    return true;
  } finally {
    parsed.destroy();
  }
}
