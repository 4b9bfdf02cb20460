import { describe, expect, it } from 'vitest';
import { deriveSeed, normalSampler, randInt } from './rng.ts';
import { seededRandom } from './seeded-random.ts';

describe('deriveSeed', () => {
  it('is a deterministic 32-bit value that depends on every part and their order', () => {
    const s = deriveSeed(1, 2);
    expect(s).toBe(deriveSeed(1, 2));
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    expect(deriveSeed(2, 1)).not.toBe(s);
    expect(deriveSeed(1, 3)).not.toBe(s);
    expect(deriveSeed(1)).not.toBe(s);
    expect(deriveSeed(1 + 2 ** 32)).not.toBe(deriveSeed(1)); // high bits count
  });

  it('spreads consecutive epochs over distinct seeds', () => {
    const seeds = new Set(Array.from({ length: 10_000 }, (_, e) => deriveSeed(42, e)));
    expect(seeds.size).toBe(10_000);
  });

  it('rejects non-integers', () => {
    expect(() => deriveSeed(1.5)).toThrow(/safe integers/);
    expect(() => deriveSeed(NaN)).toThrow(/safe integers/);
  });
});

describe('randInt', () => {
  it('stays in [lo, hi] and hits both ends', () => {
    const rng = seededRandom(3);
    const xs = Array.from({ length: 2000 }, () => randInt(rng, -2, 2));
    expect(new Set(xs)).toEqual(new Set([-2, -1, 0, 1, 2]));
  });
});

describe('normalSampler', () => {
  it('has mean 0 and std 1', () => {
    const normal = normalSampler(seededRandom(11));
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.015); // ~5 standard errors
    expect(Math.abs(Math.sqrt(s2 / n) - 1)).toBeLessThan(0.01);
  });

  it('is reproducible from the seed', () => {
    const a = normalSampler(seededRandom(5));
    const b = normalSampler(seededRandom(5));
    for (let i = 0; i < 9; i++) expect(a()).toBe(b());
  });
});
