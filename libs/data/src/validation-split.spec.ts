import { describe, expect, it } from 'vitest';
import { epochOrder } from './order.ts';
import { epochOrderOf, splitValidation } from './validation-split.ts';

describe('splitValidation', () => {
  it('holds out round(n·fraction) rows, disjoint from the training rows, together all rows', () => {
    const { train, validation } = splitValidation(1000, 0.1, 7);
    expect(validation.length).toBe(100);
    expect(train.length).toBe(900);
    const all = new Set([...train, ...validation]);
    expect(all.size).toBe(1000);
    expect(Math.max(...all)).toBe(999);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(Array.from(splitValidation(500, 0.2, 1).validation)).toEqual(Array.from(splitValidation(500, 0.2, 1).validation));
    expect(Array.from(splitValidation(500, 0.2, 1).validation)).not.toEqual(Array.from(splitValidation(500, 0.2, 2).validation));
  });

  it('spreads the held-out rows over the split rather than taking a block', () => {
    const { validation } = splitValidation(1000, 0.1, 3);
    const firstHalf = validation.filter((r) => r < 500).length;
    expect(firstHalf).toBeGreaterThan(30);
    expect(firstHalf).toBeLessThan(70);
  });

  it('refuses fractions that leave either side empty', () => {
    expect(() => splitValidation(10, 0, 1)).toThrow(/fraction in \(0, 1\)/);
    expect(() => splitValidation(10, 1, 1)).toThrow(/fraction in \(0, 1\)/);
    expect(() => splitValidation(10, 0.01, 1)).toThrow(/leaves 0 for validation/);
  });
});

describe('epochOrderOf', () => {
  it('visits exactly the given rows, in the epoch shuffle of their positions', () => {
    const rows = Uint32Array.from([10, 20, 30, 40, 50]);
    const order = epochOrderOf(rows, 4, 2);
    expect([...order].sort((a, b) => a - b)).toEqual([10, 20, 30, 40, 50]);
    expect(Array.from(order)).toEqual(Array.from(epochOrder(5, 4, 2)).map((i) => rows[i]));
    expect(Array.from(epochOrderOf(rows, 4, 3))).not.toEqual(Array.from(order));
  });
});
