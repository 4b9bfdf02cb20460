import { describe, expect, it } from 'vitest';
import { compileWat, relaxedSimdAvailable } from './wasm-text.node.ts';
import { seededValues, worstRelativeError } from './testing.ts';

const KERNELS = new URL('./kernels/simd/conv.wat', import.meta.url);

interface ConvExports {
  conv2d_valid(...args: number[]): void;
}

/** conv2d_valid of one module on fresh memory: a [2, 9, 9, 16] input and a 3×3 filter to 32 channels. */
async function convWith(module: WebAssembly.Module): Promise<Float32Array> {
  const memory = new WebAssembly.Memory({ initial: 64 });
  const { exports } = await WebAssembly.instantiate(module, { env: { memory } }) as unknown as { exports: ConvExports };
  const heap = new Float32Array(memory.buffer);
  const [x, w, out] = [0, 4096, 16384];
  heap.set(seededValues(2 * 9 * 9 * 16, 1), x);
  heap.set(seededValues(3 * 3 * 16 * 32, 2), w);
  exports.conv2d_valid(x * 4, w * 4, 0, out * 4, 2, 9, 9, 16, 7, 7, 32, 3, 3, 1, 1, 1, 1, 0);
  return heap.slice(out, out + 2 * 7 * 7 * 32);
}

describe('compileWat', () => {
  it('has relaxed SIMD on this Node (its flag set at run time where the engine needs it)', () => {
    expect(relaxedSimdAvailable()).toBe(true);
  });

  it('the kernels with fused multiply-adds and rewritten without them agree to float32 rounding', async () => {
    const fused = await compileWat(KERNELS);
    const plain = await compileWat(KERNELS, { plain: true });
    expect(fused).toBeDefined();
    expect(plain).toBeDefined();
    const [a, b] = [await convWith(fused!), await convWith(plain!)];
    expect(a.some((v) => v !== 0)).toBe(true);
    expect(worstRelativeError([a], [b])).toBeLessThan(1e-5);
  });
});
