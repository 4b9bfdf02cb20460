import { describe, expect, it } from 'vitest';
import { EmulatedSlowdown } from './emulated-slowdown.ts';

describe('emulated slowdown', () => {
  it('stretches a shard to factor × its uncontended time, whatever other processes added to this one', () => {
    const s = new EmulatedSlowdown(3);
    expect(s.emulatedMs(100, 10)).toBeCloseTo(30, 10);
    // The same size computed while the cores were shared took 14 ms: the device still takes 30.
    expect(s.emulatedMs(100, 14)).toBeCloseTo(30, 10);
    expect(s.emulatedMs(110, 11)).toBeCloseTo(33, 10);
    // A faster uncontended pass lowers the estimate from then on.
    expect(s.emulatedMs(100, 8)).toBeCloseTo(24, 10);
    expect(s.emulatedMs(100, 12)).toBeCloseTo(24, 10);
  });

  it('compares only shards of about the same size, since a small shard is mostly fixed cost', () => {
    const s = new EmulatedSlowdown(2);
    s.emulatedMs(1000, 50);
    // 1 sample at the big shard's 0.05 ms per sample would be 0.1 ms; its own time (3 ms) is what counts.
    expect(s.emulatedMs(1, 3)).toBeCloseTo(6, 10);
  });

  it('never reports less than the real compute took, and refuses factors below 1', () => {
    const s = new EmulatedSlowdown(1);
    expect(s.emulatedMs(10, 5)).toBeCloseTo(5, 10);
    expect(s.emulatedMs(10, 9)).toBeCloseTo(9, 10);
    expect(() => new EmulatedSlowdown(0.5)).toThrow(/≥ 1/);
  });
});
