/**
 * A Dataset as bytes, so a browser tab trains on exactly the rows the coordinator holds.
 *
 * The coordinator encodes the dataset it loaded (any dataset, any options), so the tab needs no
 * per-dataset loader and cannot drift from the Node side's split. Images are usually a few distinct
 * pixel values (MNIST and Fashion-MNIST have 256), so x travels as one byte per value plus a palette
 * of those float32 values: lossless, four times smaller, and it gzips well. Other data travels as
 * float32. The payload is msgpack with the same untrusted-input settings as the tensor codec.
 */
import { Packr, Unpackr } from 'msgpackr';
import { rowSize, type Dataset, type Split } from './dataset.ts';

const MAGIC = 'shardgrad-dataset';
/** Bumped when the layout changes; old payloads are refused, not misread. */
const FORMAT_VERSION = 1;
/** One byte per value holds at most this many distinct values. */
const PALETTE_MAX = 256;

export type WireSplitName = 'train' | 'test';

export class DatasetWireError extends Error {
  constructor(message: string) {
    super(`dataset wire: ${message}`);
    this.name = 'DatasetWireError';
  }
}

interface WireSplit {
  n: number;
  /** Float32 bytes of the distinct x values; absent when x travels as plain float32. */
  palette?: Uint8Array;
  /** Palette indices (one byte per value) or float32 bytes. */
  x: Uint8Array;
  y: Uint8Array;
}

const packr = new Packr({ useRecords: false, structuredClone: false });
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true, int64AsType: 'number' });

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A split's x as palette indices, or undefined when it has more distinct values than a byte holds. */
function paletteEncode(x: Float32Array): { palette: Float32Array; indices: Uint8Array } | undefined {
  // Keyed by bit pattern, so -0, NaN payloads and every float32 round-trip exactly.
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const slot = new Map<number, number>();
  const indices = new Uint8Array(x.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    let k = slot.get(b);
    if (k === undefined) {
      if (slot.size === PALETTE_MAX) return undefined;
      k = slot.size;
      slot.set(b, k);
    }
    indices[i] = k;
  }
  const paletteBits = new Uint32Array(slot.size);
  for (const [b, k] of slot) paletteBits[k] = b;
  return { palette: new Float32Array(paletteBits.buffer), indices };
}

function encodeSplit(s: Split): WireSplit {
  const p = paletteEncode(s.x);
  const y = bytesOf(s.y);
  return p && p.palette.length > 0 ? { n: s.n, palette: bytesOf(p.palette), x: p.indices, y } : { n: s.n, x: bytesOf(s.x), y };
}

/**
 * Encodes the named splits of `ds` (others travel empty). Workers only compute on `train`, so that
 * is the default: the test split stays with the coordinator, which evaluates.
 */
export function encodeDatasetWire(ds: Dataset, splits: readonly WireSplitName[] = ['train']): Uint8Array {
  const empty: Split = { x: new Float32Array(0), y: new Float32Array(0), n: 0 };
  return packr.pack({
    magic: MAGIC,
    version: FORMAT_VERSION,
    name: ds.name,
    inputShape: ds.inputShape,
    labelSize: ds.labelSize,
    numClasses: ds.numClasses,
    classNames: ds.classNames,
    train: encodeSplit(splits.includes('train') ? ds.train : empty),
    test: encodeSplit(splits.includes('test') ? ds.test : empty),
  });
}

const isDims = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length >= 1 && v.length <= 8 && v.every((d) => Number.isInteger(d) && d > 0 && d <= 1 << 20);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function float32From(bytes: Uint8Array, what: string): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new DatasetWireError(`${what} has ${bytes.byteLength} bytes, not a multiple of 4`);
  // Copied: msgpackr hands out views at odd offsets, which a Float32Array cannot sit on.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

function decodeSplit(raw: unknown, row: number, labelSize: number, name: string): Split {
  const s = raw as Partial<WireSplit> | null;
  if (!s || typeof s !== 'object' || !isCount(s.n)) throw new DatasetWireError(`${name} split is missing its size`);
  if (!(s.x instanceof Uint8Array) || !(s.y instanceof Uint8Array)) throw new DatasetWireError(`${name} split lacks binary x or y`);
  const n = s.n;
  const y = float32From(s.y, `${name}.y`);
  if (y.length !== n * labelSize) throw new DatasetWireError(`${name}.y has ${y.length} values, expected ${n * labelSize}`);
  if (s.palette === undefined) {
    const x = float32From(s.x, `${name}.x`);
    if (x.length !== n * row) throw new DatasetWireError(`${name}.x has ${x.length} values, expected ${n * row}`);
    return { x, y, n };
  }
  if (!(s.palette instanceof Uint8Array)) throw new DatasetWireError(`${name} palette is not binary`);
  const palette = float32From(s.palette, `${name}.palette`);
  if (palette.length === 0 || palette.length > PALETTE_MAX) throw new DatasetWireError(`${name} palette has ${palette.length} entries`);
  if (s.x.length !== n * row) throw new DatasetWireError(`${name}.x has ${s.x.length} values, expected ${n * row}`);
  const x = new Float32Array(n * row);
  for (let i = 0; i < x.length; i++) {
    const k = s.x[i]!;
    if (k >= palette.length) throw new DatasetWireError(`${name}.x refers to palette entry ${k} of ${palette.length}`);
    x[i] = palette[k]!;
  }
  return { x, y, n };
}

/** Inverse of encodeDatasetWire; anything else throws DatasetWireError, never a half-built Dataset. */
export function decodeDatasetWire(bytes: Uint8Array): Dataset {
  let root: Record<string, unknown>;
  try {
    root = unpackr.unpack(bytes) as Record<string, unknown>;
  } catch (e) {
    throw new DatasetWireError(`malformed payload (${(e as Error).message})`);
  }
  if (!root || typeof root !== 'object' || root.magic !== MAGIC) throw new DatasetWireError('not a shardgrad dataset payload');
  if (root.version !== FORMAT_VERSION) throw new DatasetWireError(`format version ${String(root.version)}, expected ${FORMAT_VERSION}`);
  const { name, inputShape, labelSize, numClasses, classNames } = root;
  if (typeof name !== 'string' || name.length === 0 || name.length > 100) throw new DatasetWireError('dataset name missing');
  if (!isDims(inputShape)) throw new DatasetWireError('inputShape is not a list of positive integers');
  if (!isCount(labelSize) || labelSize === 0) throw new DatasetWireError('labelSize must be a positive integer');
  if (!isCount(numClasses)) throw new DatasetWireError('numClasses must be a non-negative integer');
  if (classNames !== undefined && !(Array.isArray(classNames) && classNames.every((c) => typeof c === 'string'))) {
    throw new DatasetWireError('classNames must be a list of strings');
  }
  const row = rowSize(inputShape);
  return {
    name,
    inputShape,
    labelSize,
    numClasses,
    ...(classNames ? { classNames: classNames as string[] } : {}),
    train: decodeSplit(root.train, row, labelSize, 'train'),
    test: decodeSplit(root.test, row, labelSize, 'test'),
  };
}
