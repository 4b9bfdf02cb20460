/**
 * Random augmentation of a batch of HxWxC images in [0, 1]. Pure TypedArray code (no tfjs), so it
 * runs unchanged in node, worker_threads and browser Web Workers.
 *
 * Reproducibility contract: for a given config and random stream, the output is fixed. Per image,
 * the parameters are drawn in AUGMENT_OPTIONS order (crop, flip, translate, scale, rotate), each
 * only when enabled, then the noise; changing that order changes every augmented pixel of old runs.
 */
import type { AugmentConfig } from './augment-config.ts';
import { isNoAugment, validateAugmentConfig } from './augment-config.ts';
import { imageDims, isIdentityWarp, type ImageShape, type Warp, warpInto } from './image-warp.ts';
import { deriveSeed, normalSampler, randInt, type Rng } from './rng.ts';
import { seededRandom } from './seeded-random.ts';

/** Draw one image's geometric parameters. */
export function drawWarp(config: AugmentConfig, rng: Rng): Warp {
  let dx = 0;
  let dy = 0;
  if (config.crop) {
    // Window corner in [0, 2*pad] of the padded image ≡ shift by pad - corner.
    dx += config.crop - randInt(rng, 0, 2 * config.crop);
    dy += config.crop - randInt(rng, 0, 2 * config.crop);
  }
  const flip = config.flip ? rng() < 0.5 : false;
  if (config.translate) {
    dx += randInt(rng, -config.translate, config.translate);
    dy += randInt(rng, -config.translate, config.translate);
  }
  const zoom = config.scale ? 1 + (2 * rng() - 1) * config.scale : 1;
  const angleDeg = config.rotate ? (2 * rng() - 1) * config.rotate : 0;
  return { flip, angleDeg, zoom, dx, dy };
}

/** Add N(0, std²) to every value and clip to [0, 1], in place. */
export function addGaussianNoise(x: Float32Array, std: number, normal: () => number, from = 0, to = x.length): void {
  for (let i = from; i < to; i++) {
    const v = x[i]! + std * normal();
    x[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

function augmentOne(
  src: Float32Array,
  dst: Float32Array,
  offset: number,
  size: number,
  shape: ImageShape,
  config: AugmentConfig,
  rng: Rng,
  normal: () => number,
): void {
  const warp = drawWarp(config, rng);
  if (isIdentityWarp(warp)) dst.set(src.subarray(offset, offset + size), offset);
  else warpInto(src, offset, dst, offset, shape, warp);
  if (config.noise) addGaussianNoise(dst, config.noise, normal, offset, offset + size);
}

function checkBatch(images: Float32Array, shape: ImageShape, config: AugmentConfig): { size: number; n: number } {
  validateAugmentConfig(config);
  const { h, w, c } = imageDims(shape);
  const size = h * w * c;
  if (images.length % size !== 0) {
    throw new RangeError(`augment: batch has ${images.length} values, not a multiple of one image [${shape.join(', ')}] = ${size}`);
  }
  return { size, n: images.length / size };
}

/**
 * Augment a batch with one random stream, image after image. Returns a new array; the input is
 * untouched. Use this where one process owns the whole batch.
 */
export function augmentBatch(images: Float32Array, shape: ImageShape, config: AugmentConfig, rng: Rng): Float32Array {
  const { size, n } = checkBatch(images, shape, config);
  if (isNoAugment(config)) return images.slice();
  const out = new Float32Array(images.length);
  const normal = normalSampler(rng);
  for (let i = 0; i < n; i++) augmentOne(images, out, i * size, size, shape, config, rng, normal);
  return out;
}

/**
 * Augment each image with its own stream, seeded by (seed, sampleIds[i]). A sample then gets the
 * same pixels however the global batch is split across workers, which keeps N workers equal to
 * one process. Pass seed = deriveSeed(runSeed, epoch) so each epoch sees new variants.
 */
export function augmentBySample(
  images: Float32Array,
  shape: ImageShape,
  config: AugmentConfig,
  seed: number,
  sampleIds: ArrayLike<number>,
): Float32Array {
  const { size, n } = checkBatch(images, shape, config);
  if (sampleIds.length !== n) throw new RangeError(`augmentBySample: ${n} images but ${sampleIds.length} sample ids`);
  if (isNoAugment(config)) return images.slice();
  const out = new Float32Array(images.length);
  for (let i = 0; i < n; i++) {
    const rng = seededRandom(deriveSeed(seed, sampleIds[i]!));
    augmentOne(images, out, i * size, size, shape, config, rng, normalSampler(rng));
  }
  return out;
}
