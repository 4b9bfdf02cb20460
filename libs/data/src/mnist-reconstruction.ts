import type { Dataset } from './dataset.ts';

/** Images as their own labels (autoencoders), keeping each image's digit for plots and projector metadata. */
export interface ReconstructionDataset extends Dataset {
  /** The digit of each test image; the labels themselves are pixels. */
  testDigits: Float32Array;
}

export function reconstructionFromDigits(digits: Dataset, name = `${digits.name}-reconstruction`): ReconstructionDataset {
  const pixels = digits.inputShape.reduce((a, b) => a * b, 1);
  return {
    name,
    inputShape: digits.inputShape,
    labelSize: pixels,
    numClasses: pixels,
    // x and y share one buffer: labels are the inputs, so there is nothing to copy.
    train: { x: digits.train.x, y: digits.train.x, n: digits.train.n },
    test: { x: digits.test.x, y: digits.test.x, n: digits.test.n },
    testDigits: digits.test.y,
  };
}

export function isReconstructionDataset(ds: Dataset): ds is ReconstructionDataset {
  return 'testDigits' in ds;
}
