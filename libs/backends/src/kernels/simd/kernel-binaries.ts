/** Our WebAssembly modules (simd/<name>.wat), one concept each; their exports together are GradientKernels. */
export const KERNEL_MODULE_NAMES = ['conv', 'winograd', 'winograd-filter-grad', 'pool', 'matmul', 'elementwise'] as const;

/**
 * Which build of a module an engine can link: `shared` where tfjs's memory is a SharedArrayBuffer
 * (its threaded build, on a cross-origin isolated page), `relaxed` where the engine has relaxed SIMD.
 */
export interface KernelBinaryVariant {
  shared: boolean;
  relaxed: boolean;
}

export const KERNEL_BINARY_VARIANTS: readonly KernelBinaryVariant[] = [
  { shared: false, relaxed: true },
  { shared: false, relaxed: false },
  { shared: true, relaxed: true },
  { shared: true, relaxed: false },
];

/** The file a module's variant is served as, next to the join page's bundle. */
export function kernelBinaryName(name: (typeof KERNEL_MODULE_NAMES)[number], v: KernelBinaryVariant): string {
  return `shardgrad-${name}${v.shared ? '.shared' : ''}${v.relaxed ? '' : '.plain'}.wasm`;
}

/** Every module imports tfjs's memory so; the shared build declares it shared, as the threaded tfjs creates it (max 4 GiB). */
export const MEMORY_IMPORT = '(import "env" "memory" (memory 1))';
export const SHARED_MEMORY_IMPORT = '(import "env" "memory" (memory 1 65536 shared))';
