import { describe, expect, it } from 'vitest';
import { matMulBlocking } from './fused-mat-mul.wasm.ts';

describe('matMulBlocking', () => {
  it('leaves a b that fits in cache whole', () => {
    expect(matMulBlocking(128, 256)).toEqual({ chunk: 128, panel: 256 });
  });

  it('cuts a tall b (xᵀ·dy over many samples) into chunks of k that fit, keeping every column', () => {
    expect(matMulBlocking(4250, 128)).toEqual({ chunk: 256, panel: 128 });
    expect(matMulBlocking(784, 128)).toEqual({ chunk: 256, panel: 128 });
  });

  it('cuts a wide b (dy·Wᵀ) into panels of whole 8-column blocks that fit, keeping the whole sum', () => {
    const { chunk, panel } = matMulBlocking(128, 784);
    expect(panel % 8).toBe(0);
    expect(panel * 128).toBeLessThanOrEqual(32_768);
    expect(chunk).toBeGreaterThanOrEqual(128);
  });

  it('never blocks below one 8-column block or 8 rows of k', () => {
    const { chunk, panel } = matMulBlocking(100_000, 200_000);
    expect(panel).toBe(8);
    expect(chunk).toBe(4096);
    expect(matMulBlocking(10, 100_000).panel).toBe(3272);
  });
});
