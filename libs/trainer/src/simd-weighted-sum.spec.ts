import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileWat } from '@shardgrad/backends/wasm-text.node';
import { weightedMean, type WeightedGradients } from './aggregate.ts';
import { loadUpdateKernels } from './load-update-kernels.node.ts';
import { SimdWeightedSum } from './simd-weighted-sum.ts';

// Sizes with tails (n % 4 ≠ 0), one smaller than a vector, one as large as the seed's first layer.
const SIZES = [3, 4, 101, 100352];

function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
}

const parts = (counts: number[]): WeightedGradients[] =>
  counts.map((count, k) => {
    const rnd = random(k + 11);
    return { count, grads: SIZES.map((n) => ({ shape: [n], dtype: 'float32' as const, data: Float32Array.from({ length: n }, rnd) })) };
  });

/** Largest difference relative to the values' scale (they lie in [-1, 1]). */
const worst = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((t, i) => t.reduce((w, v, j) => Math.max(w, Math.abs(v - b[i]![j]!)), 0)));

describe('the SIMD weighted sum behind the coordinator\'s mean', async () => {
  const module = await loadUpdateKernels();

  it('assembles on this engine', () => {
    expect(module).toBeInstanceOf(WebAssembly.Module);
  });

  it.each([[[64]], [[100, 28]], [[50, 30, 7]]])('gives the mean of parts of %j samples to float32 rounding, in the target buffers', (counts) => {
    const kernel = new SimdWeightedSum(module!);
    let calls = 0;
    const counted = { weightedSum: (...a: Parameters<SimdWeightedSum['weightedSum']>) => (calls++, kernel.weightedSum(...a)) };
    const ps = parts(counts);
    const buffers = SIZES.map((n) => new Float32Array(n));
    const simd = weightedMean(ps, { buffers, kernel: counted });
    expect(calls).toBe(SIZES.length);
    simd.forEach((t, i) => expect(t).toBe(buffers[i]));
    const plain = weightedMean(ps);
    expect(worst(simd, plain)).toBeLessThan(1e-6);
    expect(Math.max(...plain.map((t) => Math.max(...t.map(Math.abs))))).toBeGreaterThan(0.3);
  });

  it('leaves sizes its memory cannot hold to the plain loops, with the same bits', async () => {
    // The same kernels with memory capped at one 64 kB page: the seed's first layer does not fit.
    const source = readFileSync(new URL('./update-kernels.wat', import.meta.url), 'utf8').replace('(memory (export "memory") 1)', '(memory (export "memory") 1 1)');
    const file = join(mkdtempSync(join(tmpdir(), 'sum-')), 'capped.wat');
    writeFileSync(file, source);
    const capped = new SimdWeightedSum((await compileWat(pathToFileURL(file)))!);
    const ps = parts([100, 28]);
    const big = ps.map((p) => p.grads[3]!.data as Float32Array);
    expect(capped.weightedSum(big, [0.5, 0.5], new Float32Array(SIZES[3]!))).toBe(false);
    const viaKernel = weightedMean(ps, { buffers: SIZES.map((n) => new Float32Array(n)), kernel: capped });
    const plain = weightedMean(ps);
    // The small tensors fit and went through the kernel; the large one fell back, bit for bit.
    expect([...viaKernel[3]!]).toEqual([...plain[3]!]);
    expect(worst(viaKernel, plain)).toBeLessThan(1e-6);
  });
});
