import * as tf from '@tensorflow/tfjs';
import { blankImage, drawGray } from '../images.ts';
import type { RgbaImage } from '../types.ts';
import { generate, latentSize } from './gan-net.ts';
import { fromGan, noiseFor } from './gan-step.ts';

/** The grid's noise never changes, so successive grids show the same latent points learning to be digits. */
const GRID_SEED = 515_151;
const GAP = 2;

/** n generated images as pixels in [0, 1] (the datasets' range), row-major, from noise (seed, 0..n−1). */
export function generateImages(model: tf.LayersModel, seed: number, n: number, first = 0): Float32Array {
  const latent = latentSize(model);
  const ids = Array.from({ length: n }, (_, i) => first + i);
  return tf.tidy(() => fromGan(generate(model, tf.tensor2d(noiseFor(seed, ids, latent), [n, latent]))).dataSync() as Float32Array);
}

/**
 * A side × side grid of samples from the same fixed noise at every call, white digits on black.
 * Files use scale 2; the dashboard scales pictures up itself, so its preview uses 1.
 */
export function sampleGridImage(model: tf.LayersModel, side = 8, scale = 2): RgbaImage {
  const px = 28;
  const images = generateImages(model, GRID_SEED, side * side);
  const cell = px * scale + GAP;
  const img = blankImage(GAP + side * cell, GAP + side * cell, [128, 128, 128]);
  for (let i = 0; i < side * side; i++) {
    drawGray(img, images.subarray(i * px * px, (i + 1) * px * px), px, px, GAP + (i % side) * cell, GAP + Math.floor(i / side) * cell, scale);
  }
  return img;
}
