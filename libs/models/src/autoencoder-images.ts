import { CATEGORY_COLORS, blankImage, dot, drawGray, setPixel } from './images.ts';
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

/** Test images to key the scatter's colours with: row-major pixels of `n` images of h × w. */
export interface DigitLegend {
  x: ArrayLike<number>;
  h: number;
  w: number;
}

const LEGEND_BORDER = 2;
const LEGEND_GAP = 4;

/**
 * Scatter of 2-d codes, one colour per digit, scaled to fit with a margin. With `legend`, a strip
 * below keys each colour with a real test digit of that class, framed in its colour: no font needed,
 * and a student sees which blob is which digit.
 */
export function latentScatterImage(codes: ArrayLike<number>, digits: ArrayLike<number>, legend?: DigitLegend, size = 400): RgbaImage {
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
  const legendHeight = legend ? legend.h + 2 * LEGEND_BORDER + 2 * LEGEND_GAP : 0;
  const img = blankImage(size, size + legendHeight);
  for (let i = 0; i < n; i++) {
    const c = CATEGORY_COLORS[Math.round(digits[i]!) % CATEGORY_COLORS.length]!;
    dot(img, margin + (codes[2 * i]! - minX) * sx, size - margin - (codes[2 * i + 1]! - minY) * sy, 2, c);
  }
  if (legend) drawDigitLegend(img, digits, legend, size + LEGEND_GAP);
  return img;
}

function drawDigitLegend(img: RgbaImage, digits: ArrayLike<number>, { x, h, w }: DigitLegend, top: number): void {
  const cell = w + 2 * LEGEND_BORDER + LEGEND_GAP;
  const classes = Math.min(CATEGORY_COLORS.length, Math.floor((img.width - LEGEND_GAP) / cell));
  for (let digit = 0; digit < classes; digit++) {
    const i = Array.prototype.findIndex.call(digits, (d: number) => Math.round(d) === digit);
    if (i < 0) continue;
    const left = LEGEND_GAP + digit * cell;
    const frame = CATEGORY_COLORS[digit]!;
    for (let y = 0; y < h + 2 * LEGEND_BORDER; y++) for (let dx = 0; dx < w + 2 * LEGEND_BORDER; dx++) setPixel(img, left + dx, top + y, frame);
    drawGray(img, Array.prototype.slice.call(x, i * h * w, (i + 1) * h * w) as number[], w, h, left + LEGEND_BORDER, top + LEGEND_BORDER, 1);
  }
}
