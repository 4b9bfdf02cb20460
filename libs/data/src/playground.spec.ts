import { describe, expect, it } from 'vitest';
import { PLAYGROUND_PROBLEMS, featureRow, parsePlaygroundOptions, playgroundDataset, playgroundPoints } from './playground.ts';

describe('playground problems', () => {
  it('are deterministic per seed, balanced and cut into train and test', () => {
    for (const p of PLAYGROUND_PROBLEMS) {
      const a = playgroundDataset(p);
      expect(a.train.n + a.test.n).toBe(500);
      expect(a.train.n).toBe(250);
      expect(a.inputShape).toEqual([2]);
      expect(Array.from(playgroundDataset(p).train.x)).toEqual(Array.from(a.train.x));
      expect(Array.from(playgroundDataset(p, { seed: 2 }).train.x)).not.toEqual(Array.from(a.train.x));
      const blue = [...a.train.y, ...a.test.y].filter((v) => v === 1).length;
      expect(blue).toBeGreaterThan(p === 'xor' ? 200 : 249);
      expect(blue).toBeLessThan(p === 'xor' ? 300 : 251);
    }
  });

  it('labels as the playground does without noise: inside radius 2.5 is blue, xor by quadrant, gaussians by centre', () => {
    for (const q of playgroundPoints('circle', 400, 0, 3)) expect(q.label).toBe(Math.hypot(q.x, q.y) < 2.5 ? 1 : 0);
    for (const q of playgroundPoints('xor', 400, 0, 3)) {
      expect(q.label).toBe(q.x * q.y >= 0 ? 1 : 0);
      expect(Math.min(Math.abs(q.x), Math.abs(q.y))).toBeGreaterThanOrEqual(0.3);
    }
    const g = playgroundPoints('gaussian', 2000, 0, 3);
    const meanX = (l: number) => g.filter((q) => q.label === l).reduce((s, q) => s + q.x, 0) / 1000;
    expect(meanX(1)).toBeCloseTo(2, 0);
    expect(meanX(0)).toBeCloseTo(-2, 0);
    const s = playgroundPoints('spiral', 200, 0, 3);
    for (const q of s) expect(Math.hypot(q.x, q.y)).toBeLessThanOrEqual(5);
  });

  it('mislabels some circle points when noise is on', () => {
    const noisy = playgroundPoints('circle', 2000, 0.5, 4);
    const wrong = noisy.filter((q) => q.label !== (Math.hypot(q.x, q.y) < 2.5 ? 1 : 0)).length;
    expect(wrong).toBeGreaterThan(50);
  });

  it('computes the extra input features', () => {
    expect(featureRow({ x: 2, y: -3 }, ['x', 'y', 'x2', 'y2', 'xy', 'sinx', 'siny'])).toEqual([2, -3, 4, 9, -6, Math.sin(2), Math.sin(-3)]);
    const ds = playgroundDataset('circle', { features: 'x2,y2' });
    expect(ds.inputShape).toEqual([2]);
    expect(ds.train.x[0]).toBeCloseTo(ds.trainPoints[0]!.x ** 2, 4);
  });

  it('refuses unknown options and bad values with the allowed ones', () => {
    expect(() => parsePlaygroundOptions({ nosie: 0.1 })).toThrow(/no option "nosie".*noise/);
    expect(() => parsePlaygroundOptions({ noise: 0.9 })).toThrow(/noise must be a number in \[0, 0.5\]/);
    expect(() => parsePlaygroundOptions({ noise: '0.1' })).toThrow(/noise must be/);
    expect(() => parsePlaygroundOptions({ samples: 7 })).toThrow(/even integer/);
    expect(() => parsePlaygroundOptions({ trainRatio: 1 })).toThrow(/trainRatio/);
    expect(() => parsePlaygroundOptions({ features: 'x,cosx' })).toThrow(/features must be/);
    expect(() => parsePlaygroundOptions({ features: 'x,x' })).toThrow(/distinct/);
  });
});
