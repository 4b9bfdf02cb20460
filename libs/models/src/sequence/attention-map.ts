import * as tf from '@tensorflow/tfjs';
import { encodeDateText } from '@shardgrad/data';
import type { RgbaImage } from '../types.ts';
import { GLYPH_HEIGHT, GLYPH_WIDTH, drawGlyph } from './pixel-font.ts';

/** Pixels per cell of the heat map, and per font pixel of its labels. */
export const HEAT_MAP_CELL = 24;
const FONT_SCALE = 2;
const INK: readonly [number, number, number] = [40, 40, 40];

/**
 * The attention weights of one input as an image: one row per output position, one column per input
 * character (padding cut off), white = 0 and dark blue = the row's largest weight. The first row is
 * the input's characters and the first column the output's (`output`, what the model wrote), so the
 * picture reads without a legend: which input characters each output character looked at.
 */
export function attentionHeatMap(model: tf.LayersModel, layerName: string, text: string, output = ''): RgbaImage {
  const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer(layerName).output as tf.SymbolicTensor });
  const [rows, cols] = (probe.outputs[0]!.shape as number[]).slice(1) as [number, number];
  const w = tf.tidy(() => (probe.predict(tf.tensor2d(encodeDateText(text), [1, cols])) as tf.Tensor).dataSync());
  const used = Math.max(1, text.length);
  const cell = HEAT_MAP_CELL;
  const image: RgbaImage = { width: (used + 1) * cell, height: (rows + 1) * cell, data: new Uint8ClampedArray((used + 1) * cell * (rows + 1) * cell * 4).fill(255) };
  for (let r = 0; r < rows; r++) {
    let max = 1e-9;
    for (let c = 0; c < used; c++) max = Math.max(max, w[r * cols + c]!);
    for (let c = 0; c < used; c++) {
      const v = w[r * cols + c]! / max;
      for (let dy = 0; dy < cell; dy++) {
        for (let dx = 0; dx < cell; dx++) {
          const p = (((r + 1) * cell + dy) * image.width + (c + 1) * cell + dx) * 4;
          image.data[p] = 255 - 225 * v;
          image.data[p + 1] = 255 - 175 * v;
          image.data[p + 2] = 255 - 60 * v;
        }
      }
    }
  }
  // Labels, centred in the header cells: the input along the top, the output down the left.
  const dx = (cell - GLYPH_WIDTH * FONT_SCALE) >> 1;
  const dy = (cell - GLYPH_HEIGHT * FONT_SCALE) >> 1;
  Array.from(text).forEach((ch, c) => drawGlyph(image, ch, (c + 1) * cell + dx, dy, FONT_SCALE, INK));
  Array.from(output.slice(0, rows)).forEach((ch, r) => drawGlyph(image, ch, dx, (r + 1) * cell + dy, FONT_SCALE, INK));
  return image;
}
