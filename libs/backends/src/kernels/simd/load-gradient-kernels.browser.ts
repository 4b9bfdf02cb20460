import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { RELAXED_PROBE } from '../../relaxed-probe.ts';
import { bindGradientKernels, gradientKernelsBoundTo, memoryOf, type GradientKernels } from './gradient-kernels.ts';
import { KERNEL_MODULE_NAMES, kernelBinaryName } from './kernel-binaries.ts';

/**
 * Fetches our kernel modules, prebuilt for this engine (assemble-kernel-binaries.node.ts), from
 * `baseUrl` and instantiates them on the wasm backend's memory, once. Returns why not, instead of
 * throwing, where that cannot work (no SIMD, files missing): the tab then trains on tfjs's kernels.
 */
export async function loadGradientKernelsFrom(backend: BackendWasm, baseUrl: string | URL): Promise<{ ok: true } | { ok: false; reason: string }> {
  const memory = memoryOf(backend);
  if (memory == null) return { ok: false, reason: 'this tfjs build does not expose its memory' };
  if (gradientKernelsBoundTo(memory)) return { ok: true };
  const variant = { shared: typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer, relaxed: WebAssembly.validate(RELAXED_PROBE) };
  try {
    const instances = await Promise.all(KERNEL_MODULE_NAMES.map(async (name) => {
      const url = new URL(kernelBinaryName(name, variant), baseUrl);
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url.pathname}: ${res.status}`);
      const { instance } = await WebAssembly.instantiate(await res.arrayBuffer(), { env: { memory } });
      return instance;
    }));
    bindGradientKernels(memory, Object.assign({}, ...instances.map((i) => i.exports)) as unknown as GradientKernels);
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
