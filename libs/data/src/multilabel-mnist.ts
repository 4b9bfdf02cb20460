import type { Dataset, Split } from './dataset.ts';

/**
 * Several independent yes/no attributes per MNIST digit: four from the digit's value, one from its
 * pixels. A sample can have any combination, so each needs its own sigmoid, not a shared softmax.
 */
export const MNIST_ATTRIBUTES = ['even', 'atLeast5', 'prime', 'closedLoop', 'heavyInk'] as const;
export type MnistAttribute = (typeof MNIST_ATTRIBUTES)[number];

export const MNIST_ATTRIBUTE_DOCS: Record<MnistAttribute, string> = {
  even: 'the digit is 0, 2, 4, 6 or 8',
  atLeast5: 'the digit is 5 or more',
  prime: 'the digit is 2, 3, 5 or 7',
  closedLoop: 'the digit is drawn with a closed loop: 0, 6, 8 or 9',
  heavyInk: 'the image has more ink (sum of pixel values) than the median training image',
};

const PRIMES = new Set([2, 3, 5, 7]);
const LOOPS = new Set([0, 6, 8, 9]);

const ink = (x: Float32Array, i: number, pixels: number) => {
  let s = 0;
  for (let k = i * pixels; k < (i + 1) * pixels; k++) s += x[k]!;
  return s;
};

/** The median ink of the training images; the test split is labelled with the training threshold. */
export function inkThreshold(train: Split, pixels: number): number {
  const sums = Float64Array.from({ length: train.n }, (_, i) => ink(train.x, i, pixels)).sort();
  return sums[Math.floor(sums.length / 2)]!;
}

/** The attribute vector of one digit, in MNIST_ATTRIBUTES order (1 = yes). */
export function digitAttributes(digit: number, inkSum: number, threshold: number): number[] {
  return [digit % 2 === 0, digit >= 5, PRIMES.has(digit), LOOPS.has(digit), inkSum > threshold].map(Number);
}

/** Turns a digit-classification dataset (labels = class index) into the multi-label one. */
export function multilabelFromDigits(digits: Dataset, name = `${digits.name}-attributes`): Dataset {
  if (digits.labelSize !== 1 || digits.numClasses !== 10) throw new Error(`multilabel: needs 10-class digit labels, got ${digits.name}`);
  const pixels = digits.inputShape.reduce((a, b) => a * b, 1);
  const threshold = inkThreshold(digits.train, pixels);
  const relabel = (s: Split): Split => {
    const y = new Float32Array(s.n * MNIST_ATTRIBUTES.length);
    for (let i = 0; i < s.n; i++) y.set(digitAttributes(s.y[i]!, ink(s.x, i, pixels), threshold), i * MNIST_ATTRIBUTES.length);
    return { x: s.x, y, n: s.n };
  };
  return {
    name,
    inputShape: digits.inputShape,
    labelSize: MNIST_ATTRIBUTES.length,
    numClasses: MNIST_ATTRIBUTES.length,
    classNames: [...MNIST_ATTRIBUTES],
    train: relabel(digits.train),
    test: relabel(digits.test),
  };
}
