import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { imageFromPng } from './png-input.ts';

/** A greyscale picture as PNG bytes; `v(x, y)` in [0, 255]. */
function png(w: number, h: number, v: (x: number, y: number) => number, alpha = () => 255): Uint8Array {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      p.data[o] = p.data[o + 1] = p.data[o + 2] = v(x, y);
      p.data[o + 3] = alpha();
    }
  }
  return PNG.sync.write(p);
}

const bar = (x: number) => (x >= 12 && x < 16 ? 255 : 0);

describe('imageFromPng', () => {
  it('gives back the exact pixels of an image at the model size, light on dark', () => {
    const img = imageFromPng(png(28, 28, (x) => bar(x)), [28, 28]);
    expect(img).toMatchObject({ inverted: false, resized: false });
    expect(img.x[5 * 28 + 13]).toBe(1);
    expect(img.x[5 * 28 + 3]).toBe(0);
  });

  it('inverts dark ink on white paper', () => {
    const img = imageFromPng(png(28, 28, (x) => 255 - bar(x)), [28, 28, 1]);
    expect(img.inverted).toBe(true);
    expect(img.x[5 * 28 + 13]).toBe(1);
    expect(img.x[5 * 28 + 3]).toBe(0);
  });

  it('scales a large picture down by area, keeping the stroke where it was', () => {
    const img = imageFromPng(png(280, 280, (x) => bar(Math.floor(x / 10))), [28, 28]);
    expect(img.resized).toBe(true);
    expect(img.x[14 * 28 + 13]).toBeCloseTo(1, 5);
    expect(img.x[14 * 28 + 20]).toBeCloseTo(0, 5);
  });

  it('treats transparent pixels as white paper', () => {
    const img = imageFromPng(png(28, 28, () => 0, () => 0), [28, 28]);
    expect(img.inverted).toBe(true);
    expect(Math.max(...img.x)).toBe(0);
  });

  it('refuses bytes that are not a PNG, and models that do not take images', () => {
    expect(() => imageFromPng(new Uint8Array([1, 2, 3]), [28, 28])).toThrow(/not a readable PNG/);
    expect(() => imageFromPng(png(2, 2, () => 0), [2])).toThrow(/not an image/);
  });
});
