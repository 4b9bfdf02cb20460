import { describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.ts';
import { MNIST_ATTRIBUTES, digitAttributes, multilabelFromDigits } from './multilabel-mnist.ts';
import { reconstructionFromDigits } from './mnist-reconstruction.ts';

const tiny = (): Dataset => {
  // Four 2x2 images with 1, 2, 3 and 4 lit pixels.
  const img = (k: number) => [0, 1, 2, 3].map((p) => (p <= k ? 1 : 0));
  const x = new Float32Array([...img(0), ...img(1), ...img(2), ...img(3)]);
  return { name: 'tiny', inputShape: [2, 2, 1], labelSize: 1, numClasses: 10, train: { x, y: new Float32Array([0, 7, 8, 3]), n: 4 }, test: { x, y: new Float32Array([0, 7, 8, 3]), n: 4 } };
};

describe('MNIST attributes', () => {
  it('derives each attribute from the digit (and the ink against a threshold)', () => {
    const table: Record<number, number[]> = {
      0: [1, 0, 0, 1], 1: [0, 0, 0, 0], 2: [1, 0, 1, 0], 3: [0, 0, 1, 0], 4: [1, 0, 0, 0],
      5: [0, 1, 1, 0], 6: [1, 1, 0, 1], 7: [0, 1, 1, 0], 8: [1, 1, 0, 1], 9: [0, 1, 0, 1],
    };
    for (let d = 0; d < 10; d++) expect(digitAttributes(d, 0, 1).slice(0, 4)).toEqual(table[d]);
    expect(digitAttributes(1, 5, 4)[4]).toBe(1);
    expect(digitAttributes(1, 4, 4)[4]).toBe(0);
  });

  it('relabels a digit dataset into one 0/1 column per attribute, ink split at the training median', () => {
    const ds = multilabelFromDigits(tiny());
    expect(ds.labelSize).toBe(MNIST_ATTRIBUTES.length);
    expect(ds.classNames).toEqual([...MNIST_ATTRIBUTES]);
    const row = (i: number) => Array.from(ds.train.y.subarray(i * 5, i * 5 + 5));
    // ink sums 1, 2, 3, 4: the median (upper) is 3, so only the 4-pixel image is heavy.
    expect(row(0)).toEqual([1, 0, 0, 1, 0]);
    expect(row(1)).toEqual([0, 1, 1, 0, 0]);
    expect(row(3)).toEqual([0, 0, 1, 0, 1]);
    expect(() => multilabelFromDigits({ ...tiny(), numClasses: 3 })).toThrow(/10-class/);
  });

  it('makes reconstruction targets of the images themselves, keeping the digits', () => {
    const ds = reconstructionFromDigits(tiny());
    expect(ds.labelSize).toBe(4);
    expect(Array.from(ds.test.y)).toEqual(Array.from(ds.test.x));
    expect(Array.from(ds.testDigits)).toEqual([0, 7, 8, 3]);
  });
});
