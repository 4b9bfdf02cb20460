/**
 * IDX format reader (the container of MNIST, Fashion-MNIST, KMNIST, EMNIST).
 *
 * Layout: 2 zero bytes, a dtype byte, a rank byte, then `rank` big-endian uint32 dims, then the
 * values, big-endian, row-major. Works on bytes only so node and browser loaders share it;
 * decompression is the loader's job.
 */

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxTensor {
  dtype: IdxDtype;
  shape: number[];
  /** Native-endian copy of the values; owns its buffer. */
  data: IdxData;
}

/** Thrown for any malformed IDX input, so callers can tell format problems from I/O problems. */
export class IdxFormatError extends Error {
  override name = 'IdxFormatError';
}

const DTYPES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

/** Parse one IDX file. `source` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxTensor {
  const fail = (msg: string): never => {
    throw new IdxFormatError(`${source}: ${msg}`);
  };
  if (bytes.length < 4) fail(`only ${bytes.length} bytes; an IDX header needs at least 4`);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    fail('is gzip-compressed; decompress it first (the node loader does this for .gz files)');
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(`bad magic: first two bytes are 0x${hex(bytes[0]!)} 0x${hex(bytes[1]!)}, expected 0x00 0x00`);
  }
  const kind = DTYPES[bytes[2]!];
  if (!kind) fail(`bad magic: unknown dtype byte 0x${hex(bytes[2]!)} (known: 08 09 0b 0c 0d 0e)`);
  const { dtype, bytes: width } = kind!;
  const rank = bytes[3]!;
  if (rank === 0) fail('rank 0: an IDX file needs at least one dimension');

  const headerLen = 4 + 4 * rank;
  if (bytes.length < headerLen) {
    fail(`truncated header: rank ${rank} needs ${headerLen} bytes, file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));

  const count = shape.reduce((a, b) => a * b, 1);
  const want = headerLen + count * width;
  if (bytes.length < want) {
    fail(`truncated data: dims [${shape.join(', ')}] of ${dtype} need ${want} bytes, file has ${bytes.length}`);
  }
  if (bytes.length > want) {
    // Extra bytes mean the dims in the header do not describe the payload: refuse rather than guess.
    fail(`dim mismatch: dims [${shape.join(', ')}] of ${dtype} account for ${want} bytes, file has ${bytes.length}`);
  }
  return { dtype, shape, data: decode(view, headerLen, count, dtype) };
}

function decode(view: DataView, at: number, count: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
}

/**
 * Check a parsed tensor against what a dataset expects. `null` in `shape` accepts any size
 * (typically the sample count). Throws IdxFormatError naming the file and both shapes.
 */
export function expectIdx(
  t: IdxTensor,
  want: { dtype?: IdxDtype; shape?: (number | null)[] },
  source = 'IDX data',
): void {
  if (want.dtype && t.dtype !== want.dtype) {
    throw new IdxFormatError(`${source}: dtype is ${t.dtype}, expected ${want.dtype}`);
  }
  if (want.shape) {
    const ok = want.shape.length === t.shape.length && want.shape.every((d, i) => d === null || d === t.shape[i]);
    if (!ok) {
      const w = want.shape.map((d) => (d === null ? '*' : d)).join(', ');
      throw new IdxFormatError(`${source}: dim mismatch: shape is [${t.shape.join(', ')}], expected [${w}]`);
    }
  }
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
