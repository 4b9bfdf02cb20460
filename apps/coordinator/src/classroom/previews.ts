import * as tf from '@tensorflow/tfjs';
import { rowSize, type Dataset } from '@shardgrad/data';
import type { PreviewImage } from '@shardgrad/protocol';
import type { CoordinatorConfig } from '../coordinator.ts';
import { ImageCanvas, PALETTE } from './image-canvas.ts';

/** Draws what the model does now; runs between rounds, so it must stay cheap (tens of ms). */
export type PreviewMaker = (cfg: CoordinatorConfig, step: number) => PreviewImage | undefined;

const byModel = new Map<string, PreviewMaker>();

/** A model with its own picture (the GAN's sample grid, say) registers it here by name. */
export function registerPreview(model: string, make: PreviewMaker): void {
  byModel.set(model, make);
}

/** The picture for this run's model: its own, else one chosen from the shapes of its data. */
export function previewFor(cfg: CoordinatorConfig): PreviewMaker | undefined {
  const own = byModel.get(cfg.def.name);
  if (own) return own;
  const { dataset: ds, state } = cfg;
  const out = state.model.outputs.length === 1 ? state.model.outputs[0]!.shape.slice(1) : undefined;
  if (!out || out.some((d) => d === null)) return undefined;
  const outSize = (out as number[]).reduce((a, b) => a * b, 1);
  if (ds.inputShape.length === 1 && ds.inputShape[0] === 2 && ds.labelSize === 1) return decisionBoundary;
  if (isImage(ds.inputShape) && outSize === rowSize(ds.inputShape)) return reconstructions;
  if (isImage(ds.inputShape) && ds.labelSize === 1 && ds.numClasses > 1) return predictions;
  return undefined;
}

const isImage = (shape: number[]) => (shape.length === 2 || (shape.length === 3 && (shape[2] === 1 || shape[2] === 3))) && shape[0]! >= 8;

/** Evenly spread rows of the test split, the same ones at every step so the class sees them change. */
function sampleRows(ds: Dataset, k: number): number[] {
  const n = Math.min(k, ds.test.n);
  return Array.from({ length: n }, (_, i) => Math.floor((i * ds.test.n) / n));
}

function predict(model: tf.LayersModel, shape: number[], x: Float32Array): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, [x.length / rowSize(shape), ...shape])) as tf.Tensor).dataSync() as Float32Array);
}

function gather(ds: Dataset, rows: number[]): Float32Array {
  const size = rowSize(ds.inputShape);
  const x = new Float32Array(rows.length * size);
  rows.forEach((r, i) => x.set(ds.test.x.subarray(r * size, (r + 1) * size), i * size));
  return x;
}

const TILES = 16;
const CAPTION = 9;

/** A grid of test images with the model's guess under each, green when right and red when wrong. */
const predictions: PreviewMaker = ({ dataset: ds, state }, step) => {
  const rows = sampleRows(ds, TILES);
  const probs = predict(state.model, ds.inputShape, gather(ds, rows));
  const [h, w] = ds.inputShape as [number, number];
  const cols = 8;
  const canvas = new ImageCanvas(cols * (w + 4), Math.ceil(rows.length / cols) * (h + 4 + CAPTION));
  const captions: NonNullable<PreviewImage['captions']> = [];
  rows.forEach((r, i) => {
    const p = probs.subarray(i * ds.numClasses, (i + 1) * ds.numClasses);
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    const ok = best === ds.test.y[r];
    const x0 = (i % cols) * (w + 4);
    const y0 = Math.floor(i / cols) * (h + 4 + CAPTION);
    canvas.fill(x0, y0, w + 4, h + 4, ok ? [40, 160, 80] : [210, 50, 50]);
    canvas.image(x0 + 2, y0 + 2, ds.inputShape, ds.test.x.subarray(r * rowSize(ds.inputShape)));
    const name = ds.classNames?.[best] ?? String(best);
    captions.push({ x: x0 + 2, y: y0 + h + 4 + CAPTION - 1, text: `${name} ${Math.round(p[best]! * 100)}%`, ok });
  });
  return { kind: 'predictions', title: 'Test images: the model’s guess', step, width: canvas.width, height: canvas.height, rgba: canvas.rgba, captions };
};

/** Originals above, the model's reconstructions below. */
const reconstructions: PreviewMaker = ({ dataset: ds, state }, step) => {
  const rows = sampleRows(ds, 8);
  const size = rowSize(ds.inputShape);
  const x = gather(ds, rows);
  const y = predict(state.model, ds.inputShape, x);
  const [h, w] = ds.inputShape as [number, number];
  const canvas = new ImageCanvas(rows.length * (w + 2), 2 * (h + 2));
  rows.forEach((_, i) => {
    canvas.image(i * (w + 2) + 1, 1, ds.inputShape, x.subarray(i * size));
    canvas.image(i * (w + 2) + 1, h + 3, ds.inputShape, y.subarray(i * size));
  });
  return { kind: 'reconstructions', title: 'Originals (top) and reconstructions (bottom)', step, width: canvas.width, height: canvas.height, rgba: canvas.rgba };
};

const GRID = 80;
const CELL = 2;
const MAX_POINTS = 400;

/** The plane coloured by predicted class (paler where less sure), with training points on top. */
const decisionBoundary: PreviewMaker = ({ dataset: ds, state }, step) => {
  const tx = ds.train.x;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < ds.train.n; i++) {
    x0 = Math.min(x0, tx[2 * i]!);
    x1 = Math.max(x1, tx[2 * i]!);
    y0 = Math.min(y0, tx[2 * i + 1]!);
    y1 = Math.max(y1, tx[2 * i + 1]!);
  }
  const mx = (x1 - x0) * 0.1 || 1;
  const my = (y1 - y0) * 0.1 || 1;
  [x0, x1, y0, y1] = [x0 - mx, x1 + mx, y0 - my, y1 + my];
  const grid = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      grid[2 * (r * GRID + c)] = x0 + ((c + 0.5) / GRID) * (x1 - x0);
      grid[2 * (r * GRID + c) + 1] = y1 - ((r + 0.5) / GRID) * (y1 - y0);
    }
  }
  const out = predict(state.model, [2], grid);
  const k = out.length / (GRID * GRID);
  const canvas = new ImageCanvas(GRID * CELL, GRID * CELL);
  for (let i = 0; i < GRID * GRID; i++) {
    const { cls, p } = classOf(out.subarray(i * k, (i + 1) * k));
    const col = PALETTE[cls % PALETTE.length]!;
    const mix = 0.25 + 0.5 * Math.max(0, (p - 1 / Math.max(2, k)) / (1 - 1 / Math.max(2, k)));
    canvas.fill((i % GRID) * CELL, Math.floor(i / GRID) * CELL, CELL, CELL, col.map((v) => Math.round(255 - (255 - v) * mix)) as [number, number, number]);
  }
  const every = Math.max(1, Math.floor(ds.train.n / MAX_POINTS));
  for (let i = 0; i < ds.train.n; i += every) {
    const px = Math.round(((tx[2 * i]! - x0) / (x1 - x0)) * GRID * CELL);
    const py = Math.round(((y1 - tx[2 * i + 1]!) / (y1 - y0)) * GRID * CELL);
    const col = PALETTE[Number(ds.train.y[i]) % PALETTE.length]!;
    canvas.fill(px - 2, py - 2, 4, 4, [30, 30, 30]);
    canvas.fill(px - 1, py - 1, 2, 2, col);
  }
  return { kind: 'decision-boundary', title: 'Decision boundary over the training points', step, width: canvas.width, height: canvas.height, rgba: canvas.rgba };
};

/** One sigmoid unit is a two-class model; otherwise the largest output wins. */
function classOf(p: Float32Array): { cls: number; p: number } {
  if (p.length === 1) return p[0]! >= 0.5 ? { cls: 1, p: p[0]! } : { cls: 0, p: 1 - p[0]! };
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return { cls: best, p: p[best]! };
}
