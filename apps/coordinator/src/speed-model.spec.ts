import { describe, expect, it } from 'vitest';
import { SpeedModel } from './speed-model.ts';

/** A worker whose shards take exactly 20 ms plus 0.5 ms a sample. */
const affine = (n: number) => 20 + 0.5 * n;

describe('SpeedModel', () => {
  it('separates the fixed cost per shard from the cost per sample', () => {
    const m = new SpeedModel(1000);
    for (const n of [300, 100, 400, 200, 50, 300]) m.add(n, affine(n));
    expect(m.fixedMs).toBeCloseTo(20, 6);
    expect(m.msPerSample).toBeCloseTo(0.5, 6);
    expect(m.speed).toBeCloseTo(2000, 3);
    expect(m.predictMs(1000)).toBeCloseTo(520, 6);
  });

  it('does not let small shards make a worker look slow (no spiral towards nothing)', () => {
    const m = new SpeedModel(1000);
    for (const n of [300, 100, 400, 200]) m.add(n, affine(n));
    // Handed ever smaller shards, the speed per sample stays what it is.
    for (const n of [20, 10, 5, 2]) m.add(n, affine(n));
    expect(m.speed).toBeCloseTo(2000, 0);
  });

  it('keeps the fixed cost while shard sizes hold still, and follows the per-sample cost', () => {
    const m = new SpeedModel(1000);
    for (const n of [300, 100, 400, 200, 300, 120, 350, 150]) m.add(n, affine(n));
    // The worker gets twice as slow per sample; every shard now has 200 samples.
    for (let k = 0; k < 30; k++) m.add(200, 20 + 1.0 * 200);
    expect(m.fixedMs).toBeCloseTo(20, 1);
    expect(m.msPerSample).toBeCloseTo(1.0, 2);
  });

  it('replaces the first, warming-up shard with the second', () => {
    const m = new SpeedModel(1000);
    m.add(100, 5000);
    m.add(100, 50);
    expect(m.predictMs(100)).toBeCloseTo(50, 6);
    expect(m.measured).toBe(true);
  });

  it('with one shard size only, charges it all per sample', () => {
    const m = new SpeedModel(1000);
    for (let k = 0; k < 5; k++) m.add(100, 50);
    expect(m.fixedMs).toBe(0);
    expect(m.speed).toBeCloseTo(2000, 6);
  });

  it('a late shard raises the prediction to at least its elapsed time', () => {
    const m = new SpeedModel(1000);
    for (const n of [100, 100, 100]) m.add(n, 50);
    m.atLeast(100, 400);
    expect(m.predictMs(100)).toBeGreaterThan(50);
    const before = m.predictMs(100);
    m.atLeast(100, 10); // no news: it was not late
    expect(m.predictMs(100)).toBe(before);
  });

  it('ignores measurements that are not numbers of samples and milliseconds', () => {
    const m = new SpeedModel(1000);
    m.add(0, 10);
    m.add(10, Number.NaN);
    m.add(10, -1);
    expect(m.measured).toBe(false);
    expect(m.speed).toBe(1000);
  });

  it('keeps its speed finite and positive whatever timings it is fed (1.7e308 ms is finite)', () => {
    const m = new SpeedModel(1000);
    m.add(1, 1.7e308);
    m.add(1, 1.7e308);
    m.add(64, 1.7e308);
    m.add(1e9, 0);
    m.add(Number.POSITIVE_INFINITY, 5);
    for (const v of [m.speed, m.msPerSample, m.predictMs(64)]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
    }
    for (const start of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e308, 5e-324]) {
      const s = new SpeedModel(start);
      expect(Number.isFinite(s.speed) && s.speed > 0, `${start}`).toBe(true);
    }
  });
});
