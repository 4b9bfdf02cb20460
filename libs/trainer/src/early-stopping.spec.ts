import { describe, expect, it } from 'vitest';
import type { TensorData } from '@shardgrad/codec';
import { EarlyStopping } from './early-stopping.ts';

const weights = (v: number): TensorData[] => [{ shape: [1], dtype: 'float32', data: Float32Array.of(v) }];

describe('EarlyStopping', () => {
  it('stops after `patience` evaluations without improvement and keeps the best weights', () => {
    const es = new EarlyStopping(2);
    const losses = [1.0, 0.8, 0.9, 0.7, 0.75, 0.71, 0.6];
    const verdicts = losses.map((l, i) => es.update(l, i * 10, () => weights(l)));
    expect(verdicts.map((v) => v.improved)).toEqual([true, true, false, true, false, false, true]);
    // Two evaluations after 0.7 without beating it: stop there, before 0.6 is ever seen.
    expect(verdicts.map((v) => v.stop)).toEqual([false, false, false, false, false, true, false]);
    expect(verdicts.findIndex((v) => v.stop)).toBe(5);
  });

  it('remembers the best value, its step and a copy of the weights then', () => {
    const es = new EarlyStopping(3);
    es.update(0.5, 10, () => weights(5));
    es.update(0.4, 20, () => weights(4));
    es.update(0.45, 30, () => weights(99));
    expect(es.best).toBe(0.4);
    expect(es.bestStep).toBe(20);
    expect(Array.from(es.bestWeights![0]!.data)).toEqual([4]);
  });

  it('an improvement must beat minDelta, and NaN never improves', () => {
    const es = new EarlyStopping(1, 0.05);
    expect(es.update(1, 0).improved).toBe(true);
    expect(es.update(0.97, 1)).toEqual({ improved: false, stop: true });
    const nan = new EarlyStopping(5);
    nan.update(1, 0);
    expect(nan.update(Number.NaN, 1).improved).toBe(false);
  });

  it('with infinite patience it only keeps the best checkpoint', () => {
    const es = new EarlyStopping(Infinity);
    for (let i = 0; i < 50; i++) expect(es.update(1 + i, i, () => weights(i)).stop).toBe(false);
    expect(es.bestStep).toBe(0);
  });

  it('takes no snapshot unless asked, and refuses a bad patience', () => {
    const es = new EarlyStopping(1);
    es.update(1, 0);
    expect(es.bestWeights).toBeUndefined();
    expect(() => new EarlyStopping(0)).toThrow(/patience must be at least 1/);
  });
});
