import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileWat } from '@shardgrad/backends/wasm-text.node';
import { Adam } from './adam.ts';
import { loadUpdateKernels } from '../load-update-kernels.node.ts';
import { SimdAdam } from './simd-adam.ts';

// Sizes with tails (n % 4 ≠ 0) and one smaller than a vector, so both of the kernel's loops run.
const SIZES = [5, 4, 1, 103, 1000];

function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
}

function steps(opt: Adam, params: Float32Array[], n: number, rnd: () => number, scale = 1) {
  for (let k = 0; k < n; k++) {
    const grads = params.map((p) => Float32Array.from({ length: p.length }, () => rnd() * scale * (k % 3 === 0 ? 1e-3 : 1)));
    opt.apply(params, grads);
  }
}

const worst = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((t, i) => Math.max(...t.map((v, j) => Math.abs(v - b[i]![j]!)))));

describe('SIMD Adam', async () => {
  const kernel = await loadUpdateKernels();

  it('assembles on this engine (Node has wasm SIMD)', () => {
    expect(kernel).toBeInstanceOf(WebAssembly.Module);
  });

  it('follows the float64 Adam to float32 rounding over 30 steps, moments included', () => {
    const init = SIZES.map((n) => Float32Array.from({ length: n }, random(n)));
    const plain = new Adam(0.01);
    const simd = new SimdAdam(kernel!, 0.01);
    const a = init.map((t) => t.slice());
    const b = init.map((t) => t.slice());
    steps(plain, a, 30, random(7));
    steps(simd, b, 30, random(7));
    expect(worst(a, init)).toBeGreaterThan(0.1);
    expect(worst(a, b)).toBeLessThan(1e-5);
    const ps = plain.getState();
    const ss = simd.getState();
    expect(ss.step).toBe(30);
    expect(worst(ss.slots.m!, ps.slots.m!)).toBeLessThan(1e-6);
    expect(worst(ss.slots.v!, ps.slots.v!)).toBeLessThan(1e-6);
  });

  it('resumes from a saved state bit for bit, and from the plain Adam state', () => {
    const init = SIZES.map((n) => Float32Array.from({ length: n }, random(n + 1)));
    const through = new SimdAdam(kernel!, 0.01);
    const x = init.map((t) => t.slice());
    steps(through, x, 6, random(3));
    const saved = through.getState();
    const y = x.map((t) => t.slice());
    steps(through, x, 6, random(4));
    const resumed = new SimdAdam(kernel!, 0.01);
    resumed.setState(saved);
    steps(resumed, y, 6, random(4));
    expect(worst(x, y)).toBe(0);
    // The checkpoint is a copy: the moments it holds did not move with the steps after it.
    expect(saved.step).toBe(6);
    expect(worst(saved.slots.m!, through.getState().slots.m!)).toBeGreaterThan(0);
  });

  it('refuses moments that do not fit the parameters, with a message', () => {
    const simd = new SimdAdam(kernel!, 0.01);
    simd.setState({ name: 'adam', step: 1, learningRate: 0.01, slots: { m: [new Float32Array(3)], v: [new Float32Array(3)] } });
    expect(() => simd.apply([new Float32Array(4)], [new Float32Array(4)])).toThrow(/moments of 3 values for tensors of 4/);
    expect(() => simd.apply([new Float32Array(3), new Float32Array(3)], [new Float32Array(3), new Float32Array(3)])).toThrow(/holds 1 tensors, model has 2/);
  });

  it('leaves a model its memory cannot hold to the plain loops, with the same results', async () => {
    // The same kernel with its memory capped at one 64 kB page, standing in for a model past 4 GB.
    const source = readFileSync(new URL('../update-kernels.wat', import.meta.url), 'utf8').replace('(memory (export "memory") 1)', '(memory (export "memory") 1 1)');
    const file = join(mkdtempSync(join(tmpdir(), 'adam-')), 'capped.wat');
    writeFileSync(file, source);
    const capped = await compileWat(pathToFileURL(file));
    const init = [Float32Array.from({ length: 20000 }, random(5))];
    const a = init.map((t) => t.slice());
    const b = init.map((t) => t.slice());
    steps(new Adam(0.01), a, 5, random(9));
    steps(new SimdAdam(capped!, 0.01), b, 5, random(9));
    expect(worst(a, init)).toBeGreaterThan(0.01);
    expect(worst(a, b)).toBe(0);
  });
});
