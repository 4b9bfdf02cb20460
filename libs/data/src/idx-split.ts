/**
 * Turn an (images, labels) pair of IDX tensors into a classification Split.
 * Shared by every IDX dataset (Fashion-MNIST, KMNIST, ...) and by node and browser loaders alike.
 */
import type { Split } from './dataset.ts';
import { IdxFormatError, type IdxTensor } from './idx.ts';

export interface IdxSplit {
  split: Split;
  /** Per-sample shape, channels last: [28, 28] images become [28, 28, 1] so conv nets take them as is. */
  inputShape: number[];
}

/**
 * Scale uint8 pixels to [0,1] and labels to float class indices. `limit` keeps the first `limit`
 * samples; only those are converted, so a small run does not pay for 60k float images.
 */
export function idxToSplit(images: IdxTensor, labels: IdxTensor, limit?: number, source = 'IDX split'): IdxSplit {
  if (images.dtype !== 'uint8') throw new IdxFormatError(`${source}: images must be uint8, got ${images.dtype}`);
  if (images.shape.length < 2 || images.shape.length > 4) {
    throw new IdxFormatError(`${source}: images must have shape [n, h, w] or [n, h, w, c], got [${images.shape.join(', ')}]`);
  }
  if (labels.shape.length !== 1) {
    throw new IdxFormatError(`${source}: labels must have shape [n], got [${labels.shape.join(', ')}]`);
  }
  if (labels.dtype === 'float32' || labels.dtype === 'float64') {
    throw new IdxFormatError(`${source}: labels must be an integer dtype, got ${labels.dtype}`);
  }
  const total = images.shape[0]!;
  if (labels.shape[0] !== total) {
    throw new IdxFormatError(`${source}: dim mismatch: ${total} images but ${labels.shape[0]} labels`);
  }
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new RangeError(`${source}: limit must be a non-negative integer, got ${limit}`);
  }
  const n = limit === undefined ? total : Math.min(limit, total);
  const inputShape = images.shape.slice(1);
  if (inputShape.length === 2) inputShape.push(1);
  const row = inputShape.reduce((a, b) => a * b, 1);

  const x = new Float32Array(n * row);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = labels.data[i]!;
  return { split: { x, y, n }, inputShape };
}
