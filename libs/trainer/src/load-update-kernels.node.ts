import { compileWat } from '@shardgrad/backends/wasm-text.node';

let compiled: Promise<WebAssembly.Module | undefined> | undefined;

/** update-kernels.wat, assembled once per process; undefined where the engine has no SIMD. */
export function loadUpdateKernels(): Promise<WebAssembly.Module | undefined> {
  compiled ??= compileWat(new URL('./update-kernels.wat', import.meta.url)).catch(() => undefined);
  return compiled;
}
