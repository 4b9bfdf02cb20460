/** Node loader for Fashion-MNIST from the Debian package `dataset-fashion-mnist` (or any folder of the IDX files). */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from './dataset.ts';
import {
  FASHION_MNIST_FILES,
  fashionMnistFromIdx,
  type FashionMnistBytes,
  type FashionMnistLimits,
} from './fashion-mnist.ts';
import { readMaybeGzip } from './idx.node.ts';

/** Where `apt-get install dataset-fashion-mnist` puts the files. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

export interface LoadFashionMnistOptions extends FashionMnistLimits {
  dir?: string;
}

export async function loadFashionMnist(options: LoadFashionMnistOptions = {}): Promise<Dataset> {
  const { dir = FASHION_MNIST_DEFAULT_DIR, ...limits } = options;
  const keys = Object.keys(FASHION_MNIST_FILES) as (keyof typeof FASHION_MNIST_FILES)[];
  const paths = await Promise.all(keys.map((k) => findFile(dir, FASHION_MNIST_FILES[k])));
  const missing = keys.filter((_, i) => paths[i] === undefined).map((k) => FASHION_MNIST_FILES[k]);
  if (missing.length > 0) {
    throw new Error(
      `Fashion-MNIST not found in ${dir}: missing ${missing.join(', ')} (with or without .gz). ` +
        `Install it with \`apt-get install -y dataset-fashion-mnist\`, ` +
        `or pass dir pointing at a folder that holds the four IDX files.`,
    );
  }
  const contents = await Promise.all(paths.map((p) => readMaybeGzip(p!)));
  const bytes = Object.fromEntries(keys.map((k, i) => [k, contents[i]!])) as FashionMnistBytes;
  return fashionMnistFromIdx(bytes, limits);
}

// Upstream ships .gz and so does Debian; some mirrors ship them already decompressed.
async function findFile(dir: string, base: string): Promise<string | undefined> {
  for (const name of [`${base}.gz`, base]) {
    const p = join(dir, name);
    try {
      await access(p);
      return p;
    } catch {
      // try the next spelling
    }
  }
  return undefined;
}
