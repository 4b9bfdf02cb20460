import { describe, expect, it } from 'vitest';
import type { Coordinator } from './coordinator.ts';
import { attachAdaptiveBatch, checkAdaptiveBatchOptions, nextAdaptiveBatch } from './adaptive-batch.ts';
import { noiseAdvice } from './noise-scale-monitor.ts';

describe('adaptive batch', () => {
  const o = { maxBatch: 1024, everySteps: 10, factor: 2 };

  it('grows at most by the factor, up to the noise scale and the maximum, never down', () => {
    expect(nextAdaptiveBatch(64, 1000, o)).toBe(128);
    expect(nextAdaptiveBatch(512, 700.9, o)).toBe(700);
    expect(nextAdaptiveBatch(512, 5000, o)).toBe(1024);
    expect(nextAdaptiveBatch(1024, 5000, o)).toBe(1024);
    expect(nextAdaptiveBatch(256, 100, o)).toBe(256);
    // A gradient that is still all noise (no positive |G|²): grow.
    expect(nextAdaptiveBatch(64, null, o)).toBe(128);
  });

  it('refuses a maximum below the starting batch, which could never take effect', () => {
    const c = { config: { batch: 64 }, on: () => undefined, off: () => undefined } as unknown as Coordinator;
    expect(() => attachAdaptiveBatch(c, { maxBatch: 10 })).toThrow(/--adaptive-batch 10 is below the starting batch 64/);
    expect(() => attachAdaptiveBatch(c, { maxBatch: 64 })()).not.toThrow();
  });

  it('refuses bad options', () => {
    expect(() => checkAdaptiveBatchOptions({ maxBatch: 0 })).toThrow(/maximum/);
    expect(() => checkAdaptiveBatchOptions({ maxBatch: 64, everySteps: 0 })).toThrow(/interval/);
    expect(() => checkAdaptiveBatchOptions({ maxBatch: 64, factor: 1 })).toThrow(/factor/);
    expect(checkAdaptiveBatchOptions({ maxBatch: 64 })).toEqual({ maxBatch: 64, everySteps: 50, factor: 2 });
  });
});

describe('noise-scale advice', () => {
  it('says how far the batch is from the critical batch', () => {
    expect(noiseAdvice(1024, 256, 30)).toEqual({
      kind: 'past',
      message: "the global batch (1024) is 4.0× past the critical batch (≈256): more workers won't train faster; a smaller batch would need almost as few steps",
    });
    expect(noiseAdvice(32, 256, 30).kind).toBe('under');
    expect(noiseAdvice(32, 256, 30).message).toMatch(/8\.0× under the critical batch/);
    expect(noiseAdvice(200, 256, 30).kind).toBe('near');
    expect(noiseAdvice(32, null, 30).kind).toBe('under');
    expect(noiseAdvice(1024, 256, 3).kind).toBe('warming-up');
  });
});
