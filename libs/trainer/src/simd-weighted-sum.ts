import type { WeightedSumKernel } from './aggregate.ts';

interface SumKernel {
  memory: WebAssembly.Memory;
  scale(out: number, a: number, w: number, n: number): void;
  add_scaled(out: number, a: number, w: number, n: number): void;
}

const PAGE = 65536;

/**
 * The shard-weighted sum in WebAssembly SIMD (update-kernels.wat): each part is copied into the
 * module's memory and added there, then the sum is copied out. For the seed's 101,770 parameters
 * and two parts, ~0.15 ms against 0.45–0.7 ms for aggregate.ts's loops on the coordinator (float
 * loads and stores in JavaScript cost ~3 ns a value).
 */
export class SimdWeightedSum implements WeightedSumKernel {
  private kernel: SumKernel | undefined;
  private capacity = 0;

  constructor(private readonly module: WebAssembly.Module) {}

  weightedSum(inputs: readonly Float32Array[], weights: readonly number[], out: Float32Array): boolean {
    const n = out.length;
    const k = this.reserve(n);
    if (!k) return false;
    const heap = new Float32Array(k.memory.buffer);
    const part = 0;
    const sum = this.capacity * 4;
    inputs.forEach((input, i) => {
      heap.set(input, part);
      if (i === 0) k.scale(sum, part * 4, weights[i]!, n);
      else k.add_scaled(sum, part * 4, weights[i]!, n);
    });
    out.set(heap.subarray(sum / 4, sum / 4 + n));
    return true;
  }

  /** Room for a part and the sum of n floats each; undefined past what a wasm memory holds. */
  private reserve(n: number): SumKernel | undefined {
    this.kernel ??= new WebAssembly.Instance(this.module).exports as unknown as SumKernel;
    if (n <= this.capacity) return this.kernel;
    const floats = Math.ceil(n / 4) * 4;
    const need = 2 * floats * 4;
    const have = this.kernel.memory.buffer.byteLength;
    try {
      if (need > have) this.kernel.memory.grow(Math.ceil((need - have) / PAGE));
    } catch {
      return undefined;
    }
    this.capacity = floats;
    return this.kernel;
  }
}
