import { describe, expect, it } from 'vitest';
import { latentScatterImage } from './autoencoder-images.ts';
import { CATEGORY_COLORS } from './images.ts';

const pixel = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));

describe('the 2-d code scatter', () => {
  it('keys each colour with a test digit of that class, framed in its colour, in a strip below', () => {
    const n = 30;
    const [h, w] = [28, 28];
    const digits = Float32Array.from({ length: n }, (_, i) => i % 10);
    const codes = Float32Array.from({ length: 2 * n }, (_, i) => i);
    // Each image is one flat grey level, its index / n: the legend must show the first of each class.
    const x = Float32Array.from({ length: n * h * w }, (_, i) => Math.floor(i / (h * w)) / n);
    const plain = latentScatterImage(codes, digits);
    const keyed = latentScatterImage(codes, digits, { x, h, w });
    expect([plain.width, plain.height]).toEqual([400, 400]);
    expect(keyed.height).toBeGreaterThan(400 + h);
    const cell = w + 2 * 2 + 4;
    for (let digit = 0; digit < 10; digit++) {
      const left = 4 + digit * cell;
      const top = 400 + 4;
      expect(pixel(keyed, left, top), `frame of ${digit}`).toEqual([...CATEGORY_COLORS[digit]!]);
      const grey = Math.round((digit / n) * 255);
      expect(pixel(keyed, left + 2 + 10, top + 2 + 10), `digit ${digit}`).toEqual([grey, grey, grey]);
    }
  });
});
