/**
 * Fashion-MNIST (Zalando): 28x28 grey clothing images, 10 classes, 60k train / 10k test.
 * This file builds the Dataset from already-read, already-decompressed IDX bytes, so a browser
 * loader can fetch the same files and reuse it; fashion-mnist.node.ts does the file reading.
 */
import type { Dataset } from './dataset.ts';
import { expectIdx, parseIdx } from './idx.ts';
import { idxToSplit } from './idx-split.ts';

/** Label index → name, as in the dataset's README. */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Base names of the four files (without .gz), same as upstream and the Debian package. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export type FashionMnistBytes = Record<keyof typeof FASHION_MNIST_FILES, Uint8Array>;

export interface FashionMnistLimits {
  /** Keep only the first N training samples (faster runs, smaller memory). */
  trainLimit?: number;
  testLimit?: number;
}

export function fashionMnistFromIdx(bytes: FashionMnistBytes, limits: FashionMnistLimits = {}): Dataset {
  const f = FASHION_MNIST_FILES;
  const trainImages = parseIdx(bytes.trainImages, f.trainImages);
  const trainLabels = parseIdx(bytes.trainLabels, f.trainLabels);
  const testImages = parseIdx(bytes.testImages, f.testImages);
  const testLabels = parseIdx(bytes.testLabels, f.testLabels);
  // The models are built for 28x28x1; a different file here means the wrong dataset, not a new size.
  expectIdx(trainImages, { dtype: 'uint8', shape: [null, 28, 28] }, f.trainImages);
  expectIdx(testImages, { dtype: 'uint8', shape: [null, 28, 28] }, f.testImages);
  expectIdx(trainLabels, { dtype: 'uint8', shape: [null] }, f.trainLabels);
  expectIdx(testLabels, { dtype: 'uint8', shape: [null] }, f.testLabels);

  const train = idxToSplit(trainImages, trainLabels, limits.trainLimit, 'fashion-mnist train');
  const test = idxToSplit(testImages, testLabels, limits.testLimit, 'fashion-mnist test');
  return {
    name: 'fashion-mnist',
    inputShape: train.inputShape,
    labelSize: 1,
    numClasses: FASHION_MNIST_CLASS_NAMES.length,
    classNames: [...FASHION_MNIST_CLASS_NAMES],
    train: train.split,
    test: test.split,
  };
}
