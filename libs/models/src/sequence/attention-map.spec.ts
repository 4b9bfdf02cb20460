import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { DATE_INPUT_LENGTH, ISO_CHARS } from '@shardgrad/data';
import { HEAT_MAP_CELL, attentionHeatMap } from './attention-map.ts';
import { ATTENTION_LAYER, buildSeq2seq } from './seq2seq.ts';
import type { RgbaImage } from '../types.ts';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

/** Dark pixels (label ink) in the cell at (row, col) of the heat map's grid. */
function ink(img: RgbaImage, row: number, col: number): number {
  let n = 0;
  for (let y = row * HEAT_MAP_CELL; y < (row + 1) * HEAT_MAP_CELL; y++) {
    for (let x = col * HEAT_MAP_CELL; x < (col + 1) * HEAT_MAP_CELL; x++) if (img.data[(y * img.width + x) * 4]! < 100) n++;
  }
  return n;
}

describe('the attention heat map', () => {
  it('has a cell per output and input character, with the input along the top and the output down the left', () => {
    const model = buildSeq2seq({ inputShape: [DATE_INPUT_LENGTH], numClasses: ISO_CHARS.length, seed: 1, config: { attention: true } });
    const text = '25 Nov 2026';
    const img = attentionHeatMap(model, ATTENTION_LAYER, text, '2026-11-25');
    expect(img.width).toBe((text.length + 1) * HEAT_MAP_CELL);
    expect(img.height).toBe((10 + 1) * HEAT_MAP_CELL);
    expect(img.data.length).toBe(img.width * img.height * 4);
    // The corner is blank; every non-space input character and every output character is drawn.
    expect(ink(img, 0, 0)).toBe(0);
    Array.from(text).forEach((ch, c) => {
      if (ch === ' ') expect(ink(img, 0, c + 1), 'a space').toBe(0);
      else expect(ink(img, 0, c + 1), `input "${ch}"`).toBeGreaterThan(0);
    });
    for (let r = 1; r <= 10; r++) expect(ink(img, r, 0), `output row ${r}`).toBeGreaterThan(0);
    // Each row of weights is scaled to its largest, which is drawn darkest (never white).
    for (let r = 1; r <= 10; r++) {
      const reds = Array.from({ length: text.length }, (_, c) => img.data[(((r * HEAT_MAP_CELL + 5) * img.width) + (c + 1) * HEAT_MAP_CELL + 5) * 4]!);
      expect(Math.min(...reds)).toBe(30);
    }
    model.dispose();
  });
});
