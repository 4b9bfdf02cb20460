import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.ts';
import { FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_FILES } from './fashion-mnist.ts';
import { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist } from './fashion-mnist.node.ts';
import { readIdxFile } from './idx.node.ts';

function idxU8(dims: number[], values: ArrayLike<number>): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => new DataView(head.buffer).setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + values.length);
  out.set(head);
  out.set(values, head.length);
  return out;
}

describe('fashion-mnist loader on files the test writes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fmnist-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('tells the user how to install the dataset when files are missing', async () => {
    await expect(loadFashionMnist({ dir })).rejects.toThrow(/apt-get install -y dataset-fashion-mnist/);
    await expect(loadFashionMnist({ dir })).rejects.toThrow(/train-images-idx3-ubyte/);
  });

  it('reads a mix of gzipped and plain IDX files', async () => {
    const px = Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 256);
    await writeFile(join(dir, `${FASHION_MNIST_FILES.trainImages}.gz`), gzipSync(idxU8([3, 28, 28], px)));
    await writeFile(join(dir, `${FASHION_MNIST_FILES.trainLabels}.gz`), gzipSync(idxU8([3], [1, 2, 3])));
    await writeFile(join(dir, FASHION_MNIST_FILES.testImages), idxU8([1, 28, 28], px.subarray(0, 784)));
    await writeFile(join(dir, FASHION_MNIST_FILES.testLabels), idxU8([1], [9]));
    const ds = await loadFashionMnist({ dir });
    expect(ds.train.n).toBe(3);
    expect(ds.test.n).toBe(1);
    expect([...ds.train.y]).toEqual([1, 2, 3]);
    expect(ds.train.x[255]).toBe(1);
    expect(ds.train.x[256]).toBe(0);
  });

  it('refuses images that are not 28x28', async () => {
    await writeFile(join(dir, FASHION_MNIST_FILES.testImages), idxU8([1, 2, 2], [0, 0, 0, 0]));
    await expect(loadFashionMnist({ dir })).rejects.toThrow(/t10k-images-idx3-ubyte: dim mismatch/);
  });
});

// The real dataset comes from the Debian package; `npm test` (scripts/setup.sh) installs it.
describe('real Fashion-MNIST files', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await loadFashionMnist();
  });

  it('has 60k train / 10k test samples of 28x28x1 and 10 named classes', () => {
    expect(ds.name).toBe('fashion-mnist');
    expect(ds.inputShape).toEqual([28, 28, 1]);
    expect(ds.labelSize).toBe(1);
    expect(ds.numClasses).toBe(10);
    expect(ds.classNames).toEqual([...FASHION_MNIST_CLASS_NAMES]);
    expect(ds.train.n).toBe(60_000);
    expect(ds.test.n).toBe(10_000);
    expect(ds.train.x.length).toBe(60_000 * 784);
    expect(ds.train.y.length).toBe(60_000);
    expect(ds.test.x.length).toBe(10_000 * 784);
  });

  it('has integer labels 0..9, balanced (6000 / 1000 per class)', () => {
    for (const [split, per] of [[ds.train, 6000], [ds.test, 1000]] as const) {
      const counts = new Array(10).fill(0);
      let bad = 0;
      for (const y of split.y) {
        if (Number.isInteger(y) && y >= 0 && y <= 9) counts[y]++;
        else bad++;
      }
      expect(bad).toBe(0);
      expect(counts).toEqual(new Array(10).fill(per));
    }
  });

  it('has pixels in [0,1] spanning the whole range', () => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.train.x) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
  });

  it('the gz file and its parsed header agree with the documented shape', async () => {
    const t = await readIdxFile(join(FASHION_MNIST_DEFAULT_DIR, `${FASHION_MNIST_FILES.testLabels}.gz`));
    expect(t.shape).toEqual([10_000]);
    expect(t.data[0]).toBe(9); // the first test item is an ankle boot, as in the upstream README
  });

  it('limits load only the first samples, identical to the full load', async () => {
    const small = await loadFashionMnist({ trainLimit: 100, testLimit: 10 });
    expect(small.train.n).toBe(100);
    expect(small.test.n).toBe(10);
    // Byte comparison: toEqual on 78,400 floats costs seconds.
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(small.train.x).equals(bytes(ds.train.x.subarray(0, 100 * 784)))).toBe(true);
    expect([...small.test.y]).toEqual([...ds.test.y.subarray(0, 10)]);
  });
});
