import { afterEach, describe, expect, it } from 'vitest';
import { sumOfSquares, useFastSumOfSquares } from './aggregators/coordinates.ts';
import { loadUpdateKernels } from './load-update-kernels.node.ts';
import { SimdSumOfSquares, useSimdSumOfSquares } from './simd-sum-of-squares.ts';

/** Values over twelve orders of magnitude, both signs: where a different summation order would show. */
function spread(n: number, seed: number): Float32Array {
  let s = seed;
  const next = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return Float32Array.from({ length: n }, () => (next() - 0.5) * 10 ** (next() * 12 - 6));
}

async function kernel(): Promise<SimdSumOfSquares> {
  const module = await loadUpdateKernels();
  // Node 20's V8 has wasm SIMD: the coordinator on these machines always gets the kernel.
  expect(module).toBeDefined();
  return new SimdSumOfSquares(module!);
}

afterEach(() => useFastSumOfSquares(undefined));

describe('Σ v² in WebAssembly SIMD', () => {
  it('gives the bits of the loop for every length (tails, under a vector, the seed MLP) and grows its memory', async () => {
    const k = await kernel();
    // Increasing, so the module's memory grows past its first page on the way.
    for (const [i, n] of [0, 1, 3, 4, 5, 1023, 1024, 16_387, 101_770, 1_000_003].entries()) {
      const a = spread(n, i + 1);
      expect(k.sumOfSquares(a), `n = ${n}`).toBe(sumOfSquares(a));
    }
  });

  it('is non-finite wherever a NaN or an infinity is, in the vectors or the tail', async () => {
    const k = await kernel();
    for (const [at, bad] of [
      [0, NaN],
      [4097, Infinity],
      [5001, -Infinity],
    ] as const) {
      const a = spread(5002, 9);
      a[at] = bad;
      expect(Number.isFinite(k.sumOfSquares(a)), `${bad} at ${at}`).toBe(false);
    }
  });

  it('once installed, sumOfSquares runs it on long float32 arrays, with the same results as before', async () => {
    const a = spread(101_770, 3);
    const loop = sumOfSquares(a);
    let calls = 0;
    const k = await kernel();
    useFastSumOfSquares((x) => (calls++, k.sumOfSquares(x)));
    expect(sumOfSquares(a)).toBe(loop);
    // Short arrays and plain number arrays stay with the loop.
    sumOfSquares(spread(10, 4));
    expect(sumOfSquares(Array.from(a))).toBe(loop);
    expect(calls).toBe(1);
    // Where the kernel cannot (a memory it cannot grow), the loop answers.
    useFastSumOfSquares(() => undefined);
    expect(sumOfSquares(a)).toBe(loop);
  });

  it('useSimdSumOfSquares installs nothing without a module', () => {
    useSimdSumOfSquares(undefined);
    const a = spread(2048, 5);
    expect(sumOfSquares(a)).toBe(sumOfSquares(Array.from(a)));
  });
});
