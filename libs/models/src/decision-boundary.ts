import * as tf from '@tensorflow/tfjs';
import { type PlaygroundDataset, featureRow, isPlaygroundDataset } from '@shardgrad/data';
import { type Rgb, blankImage, dot, mix, setPixel } from './images.ts';
import type { ModelContext, RgbaImage } from './types.ts';

/** The playground's colours: orange for class 0 (-1), blue for class 1 (+1), white at the boundary. */
const ORANGE: Rgb = [245, 147, 34];
const BLUE: Rgb = [8, 119, 189];
const WHITE: Rgb = [232, 234, 235];
const DARK: Rgb = [40, 40, 40];
/** The playground's plotting frame: x and y in [-6, 6]. */
const EXTENT = 6;

/** P(blue) for every cell of a size x size grid over [-6, 6]², row 0 at the top (y = +6). */
export function boundaryGrid(model: tf.LayersModel, ds: PlaygroundDataset, size: number): Float32Array {
  const f = ds.options.features;
  const rows = new Float32Array(size * size * f.length);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const p = { x: -EXTENT + ((c + 0.5) / size) * 2 * EXTENT, y: EXTENT - ((r + 0.5) / size) * 2 * EXTENT };
      rows.set(featureRow(p, f), (r * size + c) * f.length);
    }
  }
  return tf.tidy(() => {
    const probs = model.predict(tf.tensor2d(rows, [size * size, f.length])) as tf.Tensor;
    return tf.squeeze(tf.slice(probs, [0, 1], [-1, 1]), [1]).dataSync() as Float32Array;
  });
}

/** The decision boundary as the playground draws it, with the points on top. */
export function decisionBoundaryImage({ model, dataset }: ModelContext, size = 300): RgbaImage {
  if (!isPlaygroundDataset(dataset)) throw new Error(`decision boundary needs a playground dataset, got ${dataset.name}`);
  const grid = boundaryGrid(model, dataset, size);
  const img = blankImage(size, size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const p = grid[r * size + c]!;
      // White at p = 0.5, full colour at certainty, as the playground's diverging scale.
      setPixel(img, c, r, p >= 0.5 ? mix(WHITE, BLUE, (p - 0.5) * 2 * 0.85) : mix(WHITE, ORANGE, (0.5 - p) * 2 * 0.85));
    }
  }
  const toPx = (v: number) => ((v + EXTENT) / (2 * EXTENT)) * size;
  for (const p of dataset.trainPoints) dot(img, toPx(p.x), size - toPx(p.y), 3, p.label ? BLUE : ORANGE, [255, 255, 255]);
  for (const p of dataset.testPoints) dot(img, toPx(p.x), size - toPx(p.y), 3, p.label ? BLUE : ORANGE, DARK);
  return img;
}
