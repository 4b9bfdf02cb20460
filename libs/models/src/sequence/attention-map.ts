import * as tf from '@tensorflow/tfjs';
import { encodeDateText } from '@shardgrad/data';
import type { RgbaImage } from '../types.ts';

/** Pixels per cell of the heat map. */
const CELL = 12;

/**
 * The attention weights of one input as an image: one row per output position, one column per input
 * character (padding cut off), white = 0 and dark blue = the row's largest weight.
 */
export function attentionHeatMap(model: tf.LayersModel, layerName: string, text: string): RgbaImage {
  const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer(layerName).output as tf.SymbolicTensor });
  const [rows, cols] = (probe.outputs[0]!.shape as number[]).slice(1) as [number, number];
  const w = tf.tidy(() => (probe.predict(tf.tensor2d(encodeDateText(text), [1, cols])) as tf.Tensor).dataSync());
  const used = Math.max(1, text.length);
  const image: RgbaImage = { width: used * CELL, height: rows * CELL, data: new Uint8ClampedArray(used * CELL * rows * CELL * 4) };
  for (let r = 0; r < rows; r++) {
    let max = 1e-9;
    for (let c = 0; c < used; c++) max = Math.max(max, w[r * cols + c]!);
    for (let c = 0; c < used; c++) {
      const v = w[r * cols + c]! / max;
      for (let dy = 0; dy < CELL; dy++) {
        for (let dx = 0; dx < CELL; dx++) {
          const p = ((r * CELL + dy) * image.width + c * CELL + dx) * 4;
          image.data[p] = 255 - 225 * v;
          image.data[p + 1] = 255 - 175 * v;
          image.data[p + 2] = 255 - 60 * v;
          image.data[p + 3] = 255;
        }
      }
    }
  }
  return image;
}
