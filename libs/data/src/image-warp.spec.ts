import { describe, expect, it } from 'vitest';
import { flipImage, padCropImage, rotateImage, scaleImage, translateImage, warpBilinearInto, warpImage, warpInto } from './image-warp.ts';
import { seededRandom } from './seeded-random.ts';

/** h x w x c image with one pixel (x, y) set to `v` in every channel. */
function dot(h: number, w: number, x: number, y: number, c = 1, v = 1): Float32Array {
  const img = new Float32Array(h * w * c);
  for (let k = 0; k < c; k++) img[(y * w + x) * c + k] = v;
  return img;
}

/** Distinct, asymmetric values so any wrong permutation of pixels is visible. */
function distinct(h: number, w: number, c = 1): Float32Array {
  return Float32Array.from({ length: h * w * c }, (_, i) => (i + 1) / (h * w * c + 1));
}

const at = (img: Float32Array, w: number, x: number, y: number, c = 1, k = 0) => img[(y * w + x) * c + k]!;

describe('translateImage', () => {
  it('moves a single bright pixel by exactly (dx, dy) and leaves nothing else', () => {
    const out = translateImage(dot(6, 8, 3, 2), [6, 8], 2, -1);
    expect([...out]).toEqual([...dot(6, 8, 5, 1)]);
  });

  it('moves every channel together', () => {
    const src = dot(5, 5, 1, 1, 3);
    src[(1 * 5 + 1) * 3 + 2] = 0.25; // channels differ, so a channel mix-up would show
    const out = translateImage(src, [5, 5, 3], 1, 3);
    expect([at(out, 5, 2, 4, 3, 0), at(out, 5, 2, 4, 3, 1), at(out, 5, 2, 4, 3, 2)]).toEqual([1, 1, 0.25]);
    expect(out.reduce((a, b) => a + b, 0)).toBe(2.25);
  });

  it('drops content shifted off the image (zero fill)', () => {
    expect([...translateImage(dot(4, 4, 3, 0), [4, 4], 1, 0)]).toEqual(new Array(16).fill(0));
  });

  it('splits a pixel between neighbours on a half-pixel shift (bilinear)', () => {
    const out = translateImage(dot(3, 4, 1, 1), [3, 4], 0.5, 0);
    expect(at(out, 4, 1, 1)).toBe(0.5);
    expect(at(out, 4, 2, 1)).toBe(0.5);
  });
});

describe('flipImage', () => {
  it('mirrors an asymmetric image exactly', () => {
    const h = 3, w = 4, c = 2;
    const src = distinct(h, w, c);
    const out = flipImage(src, [h, w, c]);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) expect(at(out, w, x, y, c, k)).toBe(at(src, w, w - 1 - x, y, c, k));
  });

  it('twice is the identity', () => {
    const src = distinct(5, 7);
    expect([...flipImage(flipImage(src, [5, 7]), [5, 7])]).toEqual([...src]);
  });
});

describe('rotateImage', () => {
  // CCW on screen by 90° = transpose, then mirror top-bottom (numpy's rot90): out[y][x] = in[x][n-1-y].
  it.each([4, 5])('90° on a %i x %i image matches the transposed-and-mirrored image exactly', (n) => {
    const src = distinct(n, n);
    const out = rotateImage(src, [n, n], 90);
    const want = new Float32Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) want[y * n + x] = at(src, n, n - 1 - y, x);
    expect([...out]).toEqual([...want]);
  });

  it('positive angles turn counter-clockwise on screen: right of centre goes to the top', () => {
    const out = rotateImage(dot(5, 5, 4, 2), [5, 5], 90);
    expect([...out]).toEqual([...dot(5, 5, 2, 0)]);
  });

  it('180° equals flipping both axes; four 90° turns are the identity', () => {
    const src = distinct(4, 4);
    const r180 = rotateImage(src, [4, 4], 180);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(at(r180, 4, x, y)).toBe(at(src, 4, 3 - x, 3 - y));
    let r = src;
    for (let i = 0; i < 4; i++) r = rotateImage(r, [4, 4], 90);
    expect([...r]).toEqual([...src]);
  });

  it('0° is the identity', () => {
    const src = distinct(3, 6, 3);
    expect([...rotateImage(src, [3, 6, 3], 0)]).toEqual([...src]);
  });
});

describe('scaleImage', () => {
  it('1.0 is the identity', () => {
    const src = distinct(6, 5, 2);
    expect([...scaleImage(src, [6, 5, 2], 1)]).toEqual([...src]);
  });

  it('2.0 doubles distances from the centre, interpolating in between', () => {
    const out = scaleImage(dot(7, 7, 4, 3), [7, 7], 2); // one pixel right of centre (3, 3)
    expect(at(out, 7, 5, 3)).toBe(1); // now two pixels right
    expect(at(out, 7, 4, 3)).toBe(0.5);
    expect(at(out, 7, 6, 3)).toBe(0.5);
    expect(at(out, 7, 3, 3)).toBe(0);
  });

  it('0.5 pulls a pixel halfway to the centre', () => {
    const out = scaleImage(dot(9, 9, 8, 4), [9, 9], 0.5);
    expect(at(out, 9, 6, 4)).toBe(1);
  });
});

describe('padCropImage', () => {
  it('pad 0 is the identity', () => {
    const src = distinct(4, 6, 3);
    expect([...padCropImage(src, [4, 6, 3], 0, 0, 0)]).toEqual([...src]);
  });

  it('the window corner decides the shift: (0,0) shifts by +pad, (2pad,2pad) by -pad, (pad,pad) by none', () => {
    const src = dot(8, 8, 3, 4);
    expect([...padCropImage(src, [8, 8], 2, 0, 0)]).toEqual([...dot(8, 8, 5, 6)]);
    expect([...padCropImage(src, [8, 8], 2, 4, 4)]).toEqual([...dot(8, 8, 1, 2)]);
    expect([...padCropImage(src, [8, 8], 2, 2, 2)]).toEqual([...src]);
  });

  it('rejects a window outside the padded image', () => {
    expect(() => padCropImage(dot(4, 4, 0, 0), [4, 4], 1, 3, 0)).toThrow(/left must be an integer in \[0, 2\]/);
  });
});

describe('warpImage', () => {
  it('rejects a buffer that does not match the shape, and bad shapes', () => {
    expect(() => warpImage(new Float32Array(10), [3, 3], {})).toThrow(/needs 9/);
    expect(() => warpImage(new Float32Array(9), [3, 0], {})).toThrow(/positive integers/);
    expect(() => warpImage(new Float32Array(9), [3, 3], { zoom: 0 })).toThrow(/zoom/);
  });

  it('keeps values in [0,1] for any warp of a [0,1] image (bilinear is a convex combination)', () => {
    const rng = seededRandom(7);
    const src = Float32Array.from({ length: 10 * 10 }, () => rng());
    for (let i = 0; i < 20; i++) {
      const out = warpImage(src, [10, 10], { angleDeg: 360 * rng(), zoom: 0.5 + rng(), dx: 3 * rng(), dy: -2 * rng(), flip: rng() < 0.5 });
      expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });
});

describe('whole-pixel warps', () => {
  it('copy exactly what the bilinear warp samples, for flips and shifts on and past every border', () => {
    const rnd = seededRandom(11);
    for (const shape of [[28, 28, 1], [5, 7, 3], [4, 4]] as const) {
      const size = shape[0] * shape[1] * (shape[2] ?? 1);
      // Offsets inside bigger arrays, as augmentBySample writes a batch.
      const src = Float32Array.from({ length: 3 * size }, () => rnd());
      for (const flip of [false, true]) {
        for (const dx of [-9, -3, -1, 0, 2, 6, 30]) {
          for (const dy of [-30, -2, 0, 1, 5]) {
            const t = { flip, angleDeg: 0, zoom: 1, dx, dy };
            const copied = new Float32Array(3 * size).fill(-1);
            const sampled = new Float32Array(3 * size).fill(-1);
            warpInto(src, size, copied, 2 * size, shape, t);
            warpBilinearInto(src, size, sampled, 2 * size, shape, t);
            expect(copied).toEqual(sampled);
          }
        }
      }
    }
  });
});
