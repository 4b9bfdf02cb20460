import { describe, expect, it } from 'vitest';
import { selectClasses } from './class-subset.ts';
import type { Dataset } from './dataset.ts';

/** 4 classes, pixel value = row index, so every kept row can be traced back. */
function toy(labels: number[], testLabels = [0, 1, 2, 3]): Dataset {
  const split = (ys: number[]) => ({ x: Float32Array.from(ys.flatMap((_, i) => [i, i])), y: Float32Array.from(ys), n: ys.length });
  return { name: 'toy', inputShape: [2], labelSize: 1, numClasses: 4, classNames: ['a', 'b', 'c', 'd'], train: split(labels), test: split(testLabels) };
}

describe('selectClasses', () => {
  it('keeps only the listed classes, relabelled 0..k-1 in the order given, rows in dataset order', () => {
    const ds = selectClasses(toy([0, 1, 2, 3, 2, 1, 3]), { classes: [3, 1] });
    expect(ds.numClasses).toBe(2);
    expect(ds.classNames).toEqual(['d', 'b']);
    expect(Array.from(ds.train.y)).toEqual([1, 0, 1, 0]);
    expect(Array.from(ds.train.x)).toEqual([1, 1, 3, 3, 5, 5, 6, 6]);
    expect(Array.from(ds.test.y)).toEqual([1, 0]);
  });

  it('keeps the first N training examples of each class', () => {
    const ds = selectClasses(toy([2, 2, 0, 2, 0, 0, 2]), { classes: [0, 2], trainPerClass: 2 });
    expect(Array.from(ds.train.x.filter((_, i) => i % 2 === 0))).toEqual([0, 1, 2, 4]);
    expect(Array.from(ds.train.y)).toEqual([1, 1, 0, 0]);
  });

  it('returns the dataset untouched without options', () => {
    const ds = toy([0, 1]);
    expect(selectClasses(ds, {})).toBe(ds);
  });

  it.each([
    [{ classes: [0, 7] }, /7 is not a class of toy \(0\.\.3\)/],
    [{ classes: [1, 1] }, /1 is listed twice/],
    [{ classes: [1] }, /at least two class indices/],
    [{ classes: '[0,1' as unknown as number[] }, /classes must be a list of class indices such as \[3,8\], got "\[0,1"/],
    [{ trainPerClass: 0 }, /trainPerClass must be a positive integer/],
    [{ classes: [0, 1], trainPerClass: 3 }, /toy train: fewer than 3 examples per class \(class 0: 1, class 1: 1\)/],
  ])('refuses %j', (opts, message) => {
    expect(() => selectClasses(toy([0, 1, 2, 3]), opts)).toThrow(message);
  });
});
