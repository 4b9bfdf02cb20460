import type * as tf from '@tensorflow/tfjs';
import { dropoutLayers } from './sample-dropout.ts';

/**
 * Gives every Dropout layer of `model` this seed, or its random draws back with undefined. tfjs
 * draws a seeded dropout mask in JavaScript, whatever the backend, so two backends computing the
 * same shard at the same weights then drop the same units: what a browser tab's calibration needs
 * to compare a backend's gradient with the cpu backend's (unseeded, every model with dropout
 * failed it on every backend).
 */
export function seedDropout(model: tf.LayersModel, seed: number | undefined): void {
  for (const layer of dropoutLayers(model)) layer.seed = seed;
}
