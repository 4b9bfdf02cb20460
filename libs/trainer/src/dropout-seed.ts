import type * as tf from '@tensorflow/tfjs';

/**
 * Gives every Dropout layer of `model` this seed, or its random draws back with undefined. tfjs
 * draws a seeded dropout mask in JavaScript, whatever the backend, so two backends computing the
 * same shard at the same weights then drop the same units: what a browser tab's calibration needs
 * to compare a backend's gradient with the cpu backend's (unseeded, every model with dropout
 * failed it on every backend).
 */
export function seedDropout(model: tf.LayersModel, seed: number | undefined): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed?: number }).seed = seed;
    // A model used as a layer (transfer learning's base) has layers of its own.
    if ('layers' in layer) seedDropout(layer as unknown as tf.LayersModel, seed);
  }
}
