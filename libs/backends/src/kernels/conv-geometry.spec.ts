import { describe, expect, it } from 'vitest';
import { filterGradPads, inputGradPads, type ConvGeometry } from './conv-geometry.ts';

const geometry = (g: Partial<ConvGeometry>): ConvGeometry => ({
  inHeight: 9, inWidth: 9, outHeight: 7, outWidth: 7, filterHeight: 3, filterWidth: 3,
  strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padInfo: { top: 0, left: 0 },
  ...g,
});

describe('filterGradPads', () => {
  it('is zero for a valid stride-1 conv: the input is exactly the needed window', () => {
    expect(filterGradPads(geometry({}))).toEqual({ top: 0, bottom: 0, left: 0, right: 0 });
  });

  it('keeps the forward pads for same padding', () => {
    expect(filterGradPads(geometry({ outHeight: 9, outWidth: 9, padInfo: { top: 1, left: 1 } })))
      .toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
  });

  it('crops rows a strided conv never reached (negative bottom)', () => {
    // 12 rows, 5-tap filter, stride 3, valid: outputs at rows 0,3,6 cover rows 0..10; row 11 unused.
    const g = geometry({ inHeight: 12, inWidth: 12, outHeight: 3, outWidth: 3, filterHeight: 5, filterWidth: 5, strideHeight: 3, strideWidth: 3 });
    expect(filterGradPads(g)).toEqual({ top: 0, bottom: -1, left: 0, right: -1 });
  });
});

describe('inputGradPads', () => {
  it('pads a full conv (filter − 1 each side) for valid stride 1', () => {
    expect(inputGradPads(geometry({}), 7, 7)).toEqual({ top: 2, bottom: 2, left: 2, right: 2 });
  });

  it('pads one side per axis for same stride 1', () => {
    const g = geometry({ outHeight: 9, outWidth: 9, padInfo: { top: 1, left: 1 } });
    expect(inputGradPads(g, 9, 9)).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
  });

  it('counts the zero-stuffed length for stride 2', () => {
    // 9 rows, 3 taps, stride 2, same: 5 outputs, stuffed to 10; top pad 1 → 9 + 2 − 1 − 10 = 0.
    const g = geometry({ outHeight: 5, outWidth: 5, strideHeight: 2, strideWidth: 2, padInfo: { top: 1, left: 1 } });
    expect(inputGradPads(g, 10, 10)).toEqual({ top: 1, bottom: 0, left: 1, right: 0 });
  });
});
