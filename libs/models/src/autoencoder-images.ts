import { CATEGORY_COLORS, blankImage, dot, drawGray } from './images.ts';
import { predictSplit } from './predict-split.ts';
import type { ModelContext, RgbaImage } from './types.ts';

const SCALE = 2;
const GAP = 4;

/**
 * `pairs` rows of `columns` test digits, each row of originals followed by a row of their
 * reconstructions, on a mid-gray background so the digit borders show.
 */
export function reconstructionGridImage({ model, dataset }: ModelContext, columns = 10, pairs = 3): RgbaImage {
  const [h, w] = dataset.inputShape as [number, number];
  const count = Math.min(columns * pairs, dataset.test.n);
  const pixels = h * w;
  const sample = { x: dataset.test.x.subarray(0, count * pixels), y: dataset.test.y.subarray(0, count * pixels), n: count };
  const recon = predictSplit(model, dataset.inputShape, sample);
  const cell = w * SCALE + GAP;
  const rowH = h * SCALE + GAP;
  const img = blankImage(GAP + columns * cell, GAP + 2 * pairs * rowH, [128, 128, 128]);
  for (let i = 0; i < count; i++) {
    const col = i % columns;
    const pair = Math.floor(i / columns);
    const left = GAP + col * cell;
    const top = GAP + 2 * pair * rowH;
    drawGray(img, sample.x.subarray(i * pixels, (i + 1) * pixels), w, h, left, top, SCALE);
    drawGray(img, recon.subarray(i * pixels, (i + 1) * pixels), w, h, left, top + rowH, SCALE);
  }
  return img;
}

/** Scatter of 2-d codes, one colour per digit, scaled to fit with a margin. */
export function latentScatterImage(codes: ArrayLike<number>, digits: ArrayLike<number>, size = 400): RgbaImage {
  const n = digits.length;
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, codes[2 * i]!);
    maxX = Math.max(maxX, codes[2 * i]!);
    minY = Math.min(minY, codes[2 * i + 1]!);
    maxY = Math.max(maxY, codes[2 * i + 1]!);
  }
  const margin = 10;
  const sx = (size - 2 * margin) / Math.max(1e-9, maxX - minX);
  const sy = (size - 2 * margin) / Math.max(1e-9, maxY - minY);
  const img = blankImage(size, size);
  for (let i = 0; i < n; i++) {
    const c = CATEGORY_COLORS[Math.round(digits[i]!) % CATEGORY_COLORS.length]!;
    dot(img, margin + (codes[2 * i]! - minX) * sx, size - margin - (codes[2 * i + 1]! - minY) * sy, 2, c);
  }
  return img;
}
