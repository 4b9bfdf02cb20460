import { compileWat } from '@shardgrad/backends/wasm-text.node';

let compiled: Promise<WebAssembly.Module | undefined> | undefined;

/** adam-simd.wat, assembled once per process; undefined where the engine has no SIMD. */
export function loadAdamKernel(): Promise<WebAssembly.Module | undefined> {
  compiled ??= compileWat(new URL('./adam-simd.wat', import.meta.url)).catch(() => undefined);
  return compiled;
}
