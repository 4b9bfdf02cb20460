import { useFastSumOfSquares } from './aggregators/coordinates.ts';
import { KernelInstance, aligned16 } from './wasm-memory.ts';

interface SquaresKernel {
  memory: WebAssembly.Memory;
  sum_squares(a: number, n: number): number;
}

/**
 * Σ v² of a float32 array in WebAssembly SIMD (update-kernels.wat's sum_squares), the same bits as
 * coordinates.ts's loop. The coordinator takes it of every result it checks (a NaN or ±∞ makes it
 * non-finite) and of every round's mean (the noise scale): for the seed's 101,770 parameters the
 * copy into the module and the pass cost ~0.03 ms against ~0.1 ms for the loop.
 */
export class SimdSumOfSquares {
  private readonly instance: KernelInstance<SquaresKernel>;

  constructor(module: WebAssembly.Module) {
    this.instance = new KernelInstance(module);
  }

  /** undefined past what a wasm memory holds: the caller's loop takes over. */
  sumOfSquares(a: Float32Array): number | undefined {
    const k = this.instance.withRoom(aligned16(a.length * 4));
    if (!k) return undefined;
    new Float32Array(k.memory.buffer, 0, a.length).set(a);
    return k.sum_squares(0, a.length);
  }
}

/** Makes this process's sumOfSquares run in `updateKernels` (where the engine compiled them). */
export function useSimdSumOfSquares(updateKernels: WebAssembly.Module | undefined): void {
  if (!updateKernels) return;
  const kernel = new SimdSumOfSquares(updateKernels);
  useFastSumOfSquares((a) => kernel.sumOfSquares(a));
}
