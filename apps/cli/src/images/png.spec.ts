import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from './png.ts';

describe('PNG encoding', () => {
  it('round-trips RGBA pixels at the right size', () => {
    const data = new Uint8ClampedArray(3 * 2 * 4).map((_, i) => (i * 37) % 256);
    const bytes = encodePng({ width: 3, height: 2, data });
    expect(Array.from(bytes.subarray(1, 4), (c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const back = decodePng(bytes);
    expect([back.width, back.height]).toEqual([3, 2]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('refuses a buffer that does not match the size', () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8ClampedArray(15) })).toThrow(/needs 16 bytes/);
    expect(() => encodePng({ width: 0, height: 2, data: new Uint8ClampedArray(0) })).toThrow(/0x2/);
  });
});
