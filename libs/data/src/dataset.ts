import { gatherRows } from './order.ts';

/** A dataset as flat typed arrays, so it crosses threads, processes and the wire without tfjs. */
export interface Split {
  /** n * prod(inputShape) values, pixels scaled to [0, 1]. */
  x: Float32Array;
  /** n * labelSize values; for classification labelSize = 1 and y holds the class index. */
  y: Float32Array;
  n: number;
}

export interface Dataset {
  name: string;
  inputShape: number[];
  labelSize: number;
  numClasses: number;
  classNames?: string[];
  train: Split;
  test: Split;
}

export const rowSize = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Copies the rows of `indices` out of a split, in that order. */
export function takeRows(ds: Dataset, split: Split, indices: ArrayLike<number>): Split {
  checkRows(split, indices);
  return { x: gatherRows(split.x, rowSize(ds.inputShape), indices), y: gatherRows(split.y, ds.labelSize, indices), n: indices.length };
}

/**
 * A dataset option (or the dataset's name) that cannot be honoured: the user's mistake, which the CLI
 * reports as a usage error. A RangeError, as the class-selection checks threw before it existed.
 */
export class DatasetOptionError extends RangeError {
  override name = 'DatasetOptionError';
}

/** Throws a RangeError naming the first index that is not a row of the split. */
export function checkRows(split: Split, indices: ArrayLike<number>): void {
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    if (!(r >= 0 && r < split.n)) throw new RangeError(`row ${r} is outside the split (n = ${split.n})`);
  }
}
