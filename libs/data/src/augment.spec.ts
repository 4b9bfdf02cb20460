import { describe, expect, it } from 'vitest';
import { addGaussianNoise, augmentBatch, augmentBySample, drawWarp } from './augment.ts';
import { flipImage } from './image-warp.ts';
import { normalSampler } from './rng.ts';
import { seededRandom } from './seeded-random.ts';

const H = 9;
const W = 9;

/** n copies of an HxW image with only pixel (x, y) lit. */
function dots(n: number, x: number, y: number): Float32Array {
  const b = new Float32Array(n * H * W);
  for (let i = 0; i < n; i++) b[i * H * W + y * W + x] = 1;
  return b;
}

/** Where the single lit pixel of each image went, as [dx, dy] from (x0, y0); null if not exactly one exact 1. */
function moves(out: Float32Array, n: number, x0: number, y0: number): ([number, number] | null)[] {
  const res: ([number, number] | null)[] = [];
  for (let i = 0; i < n; i++) {
    const img = out.subarray(i * H * W, (i + 1) * H * W);
    const lit = [...img.keys()].filter((j) => img[j] !== 0);
    res.push(lit.length === 1 && img[lit[0]!] === 1 ? [(lit[0]! % W) - x0, Math.floor(lit[0]! / W) - y0] : null);
  }
  return res;
}

describe('augmentBatch, one option at a time, on known images', () => {
  it('translate=2 moves a bright pixel by whole pixels in [-2, 2], reaching every offset', () => {
    const n = 400;
    const got = moves(augmentBatch(dots(n, 4, 4), [H, W], { translate: 2 }, seededRandom(1)), n, 4, 4);
    expect(got.every((m) => m !== null && Math.abs(m[0]) <= 2 && Math.abs(m[1]) <= 2)).toBe(true);
    expect(new Set(got.map((m) => m!.join())).size).toBe(25);
  });

  it('crop=3 (pad-and-crop) shifts by whole pixels in [-3, 3], reaching every offset', () => {
    const n = 600;
    const got = moves(augmentBatch(dots(n, 4, 4), [H, W], { crop: 3 }, seededRandom(2)), n, 4, 4);
    expect(got.every((m) => m !== null && Math.abs(m[0]) <= 3 && Math.abs(m[1]) <= 3)).toBe(true);
    expect(new Set(got.map((m) => m!.join())).size).toBe(49);
  });

  it('crop=0 is the identity', () => {
    const src = Float32Array.from({ length: 4 * H * W }, (_, i) => (i % 13) / 13);
    expect([...augmentBatch(src, [H, W], { crop: 0 }, seededRandom(3))]).toEqual([...src]);
  });

  it('flip gives each image either itself or its exact mirror, both about half the time', () => {
    const one = Float32Array.from({ length: H * W }, (_, i) => ((i * 7) % 11) / 11); // asymmetric
    const mirror = flipImage(one, [H, W]);
    const n = 200;
    const batch = new Float32Array(n * H * W);
    for (let i = 0; i < n; i++) batch.set(one, i * H * W);
    const out = augmentBatch(batch, [H, W], { flip: true }, seededRandom(4));
    let flipped = 0;
    for (let i = 0; i < n; i++) {
      const img = [...out.subarray(i * H * W, (i + 1) * H * W)];
      const same = img.every((v, j) => v === one[j]);
      const mirrored = img.every((v, j) => v === mirror[j]);
      expect(same || mirrored).toBe(true);
      if (mirrored) flipped++;
    }
    expect(flipped).toBeGreaterThan(70);
    expect(flipped).toBeLessThan(130);
  });

  it('rotate=10 draws angles in [-10, 10] and keeps the centre pixel fixed', () => {
    const rng = seededRandom(5);
    const angles = Array.from({ length: 500 }, () => drawWarp({ rotate: 10 }, rng).angleDeg);
    expect(Math.min(...angles)).toBeGreaterThanOrEqual(-10);
    expect(Math.max(...angles)).toBeLessThanOrEqual(10);
    expect(Math.min(...angles)).toBeLessThan(-9);
    expect(Math.max(...angles)).toBeGreaterThan(9);
    const out = augmentBatch(dots(20, 4, 4), [H, W], { rotate: 10 }, seededRandom(6));
    for (let i = 0; i < 20; i++) expect(out[i * H * W + 4 * W + 4]).toBe(1);
  });

  it('scale=0.1 draws zoom factors in [0.9, 1.1]', () => {
    const rng = seededRandom(7);
    const zooms = Array.from({ length: 500 }, () => drawWarp({ scale: 0.1 }, rng).zoom);
    expect(Math.min(...zooms)).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...zooms)).toBeLessThanOrEqual(1.1);
    expect(Math.max(...zooms) - Math.min(...zooms)).toBeGreaterThan(0.18);
  });

  it('noise=0.05 adds noise of std 0.05 and mean 0 to a mid-grey image', () => {
    const src = new Float32Array(20 * 32 * 32).fill(0.5);
    const out = augmentBatch(src, [32, 32], { noise: 0.05 }, seededRandom(8));
    let sum = 0;
    let sq = 0;
    for (const v of out) {
      sum += v - 0.5;
      sq += (v - 0.5) ** 2;
    }
    const mean = sum / out.length;
    const std = Math.sqrt(sq / out.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.001); // 20k samples: standard error 0.00035
    expect(std).toBeGreaterThan(0.049);
    expect(std).toBeLessThan(0.051);
  });

  it('noise stays clipped to [0, 1], and the clipping really happens', () => {
    const src = Float32Array.from({ length: 4000 }, (_, i) => i % 2);
    const out = augmentBatch(src, [10, 10], { noise: 0.5 }, seededRandom(9));
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(out.filter((v) => v === 0).length).toBeGreaterThan(500);
    expect(out.filter((v) => v === 1).length).toBeGreaterThan(500);
    expect(out.filter((v) => v > 0 && v < 1).length).toBeGreaterThan(1000);
  });

  it('addGaussianNoise touches only the given range', () => {
    const x = new Float32Array(10).fill(0.5);
    addGaussianNoise(x, 0.1, normalSampler(seededRandom(1)), 2, 5);
    expect([...x.subarray(0, 2), ...x.subarray(5)]).toEqual(new Array(7).fill(0.5));
    expect([...x.subarray(2, 5)].every((v) => v !== 0.5)).toBe(true);
  });
});

describe('augmentBatch determinism and hygiene', () => {
  const all = { crop: 2, flip: true, translate: 1, scale: 0.1, rotate: 15, noise: 0.05 };
  const src = Float32Array.from({ length: 8 * 12 * 10 * 3 }, (_, i) => ((i * 31) % 97) / 97);
  const shape = [12, 10, 3];

  it('same seed → identical output; different seed → different output', () => {
    const a = augmentBatch(src, shape, all, seededRandom(42));
    const b = augmentBatch(src, shape, all, seededRandom(42));
    const c = augmentBatch(src, shape, all, seededRandom(43));
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  it('pins the parameter draws, so changing the draw order is a visible decision', () => {
    const rng = seededRandom(1);
    const c = { crop: 2, flip: true, translate: 1, scale: 0.1, rotate: 15 };
    const [a, b] = [drawWarp(c, rng), drawWarp(c, rng)];
    expect({ ...a, angleDeg: a.angleDeg.toFixed(6), zoom: a.zoom.toFixed(6) }).toEqual({ flip: false, angleDeg: '3.385166', zoom: '0.956221', dx: 0, dy: 3 });
    expect({ ...b, angleDeg: b.angleDeg.toFixed(6), zoom: b.zoom.toFixed(6) }).toEqual({ flip: false, angleDeg: '-2.887657', zoom: '0.927787', dx: -1, dy: 0 });
  });

  it('does not modify its input and keeps every value in [0, 1]', () => {
    const before = src.slice();
    const out = augmentBatch(src, shape, all, seededRandom(1));
    expect([...src]).toEqual([...before]);
    expect(out).not.toBe(src);
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('with no options returns an equal copy', () => {
    const out = augmentBatch(src, shape, {}, seededRandom(1));
    expect(out).not.toBe(src);
    expect([...out]).toEqual([...src]);
  });

  it('rejects a batch that is not whole images, and bad configs', () => {
    expect(() => augmentBatch(new Float32Array(10), [3, 3], {}, seededRandom(1))).toThrow(/not a multiple/);
    expect(() => augmentBatch(src, shape, { scale: 3 }, seededRandom(1))).toThrow(/scale/);
  });
});

describe('augmentBySample', () => {
  const all = { crop: 2, flip: true, rotate: 10, noise: 0.1 };
  const size = 6 * 6;
  const src = Float32Array.from({ length: 6 * size }, (_, i) => ((i * 17) % 23) / 23);
  const ids = [10, 11, 12, 13, 14, 15];

  it('gives each sample the same pixels however the batch is split across workers', () => {
    const whole = augmentBySample(src, [6, 6], all, 99, ids);
    const left = augmentBySample(src.subarray(0, 2 * size), [6, 6], all, 99, ids.slice(0, 2));
    const right = augmentBySample(src.subarray(2 * size), [6, 6], all, 99, ids.slice(2));
    expect([...left, ...right]).toEqual([...whole]);
  });

  it('depends on the seed (so each epoch gets new variants) and checks id count', () => {
    const a = augmentBySample(src, [6, 6], all, 1, ids);
    const b = augmentBySample(src, [6, 6], all, 2, ids);
    expect([...a]).not.toEqual([...b]);
    expect(() => augmentBySample(src, [6, 6], all, 1, [1, 2])).toThrow(/6 images but 2 sample ids/);
  });
});
