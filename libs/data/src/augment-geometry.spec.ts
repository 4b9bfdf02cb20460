import { describe, expect, it } from 'vitest';
import { augmentBySample } from './augment.ts';

/**
 * scale and rotate on a known image, through the same entry point the workers use: one bright
 * pixel 5 px right of the centre of a 15x15 image. Bilinear resampling spreads it over a few
 * pixels, so its position is read as the centroid of the output.
 */
const S = 15;
const C = 7;
const R = 5;

function dotImages(n: number): Float32Array {
  const b = new Float32Array(n * S * S);
  for (let i = 0; i < n; i++) b[i * S * S + C * S + C + R] = 1;
  return b;
}

function centroids(out: Float32Array, n: number): { r: number; deg: number; mass: number }[] {
  return Array.from({ length: n }, (_, i) => {
    let m = 0;
    let sx = 0;
    let sy = 0;
    for (let p = 0; p < S * S; p++) {
      const v = out[i * S * S + p]!;
      m += v;
      sx += v * (p % S);
      sy += v * Math.floor(p / S);
    }
    const dx = sx / m - C;
    const dy = sy / m - C;
    // Screen y grows downwards; positive degrees are counter-clockwise on screen.
    return { r: Math.hypot(dx, dy), deg: (Math.atan2(-dy, dx) * 180) / Math.PI, mass: m };
  });
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('augmentation on a known image (per-sample, as in the workers)', () => {
  it('scale=0.1 moves the dot along its ray to between 0.9 and 1.1 times its distance, both ways', () => {
    const n = 300;
    const got = centroids(augmentBySample(dotImages(n), [S, S], { scale: 0.1 }, 5, ids(n)), n);
    for (const g of got) {
      expect(Math.abs(g.deg)).toBeLessThan(0.5);
      expect(g.r).toBeGreaterThanOrEqual(0.9 * R - 0.05);
      expect(g.r).toBeLessThanOrEqual(1.1 * R + 0.05);
    }
    expect(Math.min(...got.map((g) => g.r))).toBeLessThan(0.93 * R);
    expect(Math.max(...got.map((g) => g.r))).toBeGreaterThan(1.07 * R);
  });

  it('rotate=10 turns the dot about the centre by at most 10 degrees each way, at the same distance', () => {
    const n = 300;
    const got = centroids(augmentBySample(dotImages(n), [S, S], { rotate: 10 }, 6, ids(n)), n);
    for (const g of got) {
      expect(Math.abs(g.r - R)).toBeLessThan(0.1);
      expect(Math.abs(g.deg)).toBeLessThanOrEqual(10.2);
    }
    expect(Math.min(...got.map((g) => g.deg))).toBeLessThan(-8);
    expect(Math.max(...got.map((g) => g.deg))).toBeGreaterThan(8);
  });

  it('flip mirrors the dot to the left of the centre for about half the samples, else leaves it', () => {
    const n = 200;
    const out = augmentBySample(dotImages(n), [S, S], { flip: true }, 7, ids(n));
    let mirrored = 0;
    for (let i = 0; i < n; i++) {
      const img = out.subarray(i * S * S, (i + 1) * S * S);
      const left = img[C * S + C - R];
      const right = img[C * S + C + R];
      expect([left, right].sort()).toEqual([0, 1]);
      if (left === 1) mirrored++;
    }
    expect(mirrored).toBeGreaterThan(70);
    expect(mirrored).toBeLessThan(130);
  });
});
