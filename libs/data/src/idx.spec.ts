import { describe, expect, it } from 'vitest';
import { expectIdx, IdxFormatError, parseIdx } from './idx.ts';
import { idxToSplit } from './idx-split.ts';

const WIDTH: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** Build an IDX file by hand: the test must not share code with the parser it checks. */
function idx(dtypeByte: number, dims: number[], values: number[]): Uint8Array {
  const width = WIDTH[dtypeByte]!;
  const bytes = new Uint8Array(4 + 4 * dims.length + width * values.length);
  const v = new DataView(bytes.buffer);
  bytes[2] = dtypeByte;
  bytes[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  const at = 4 + 4 * dims.length;
  values.forEach((x, i) => {
    const o = at + width * i;
    if (dtypeByte === 0x08) v.setUint8(o, x);
    else if (dtypeByte === 0x09) v.setInt8(o, x);
    else if (dtypeByte === 0x0b) v.setInt16(o, x, false);
    else if (dtypeByte === 0x0c) v.setInt32(o, x, false);
    else if (dtypeByte === 0x0d) v.setFloat32(o, x, false);
    else v.setFloat64(o, x, false);
  });
  return bytes;
}

describe('parseIdx', () => {
  it('reads ubyte images with big-endian dims', () => {
    const t = parseIdx(idx(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]));
    expect(t.dtype).toBe('uint8');
    expect(t.shape).toEqual([2, 2, 3]);
    expect(t.data).toBeInstanceOf(Uint8Array);
    expect([...t.data]).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  });

  it('reads dims above 255 (big-endian, not little)', () => {
    const t = parseIdx(idx(0x08, [300], new Array(300).fill(7)));
    expect(t.shape).toEqual([300]);
    expect(t.data.length).toBe(300);
  });

  it.each([
    [0x09, 'int8', Int8Array, [-128, -1, 0, 127]],
    [0x0b, 'int16', Int16Array, [-32768, -2, 258, 32767]],
    [0x0c, 'int32', Int32Array, [-2147483648, -3, 16909060, 2147483647]],
    [0x0d, 'float32', Float32Array, [-1.5, 0, 0.25, 3.140000104904175]],
    [0x0e, 'float64', Float64Array, [-1e300, 0, Math.PI, 1 / 3]],
  ] as const)('decodes dtype byte 0x%s as %s', (byte, dtype, ctor, values) => {
    const t = parseIdx(idx(byte, [2, 2], [...values]));
    expect(t.dtype).toBe(dtype);
    expect(t.data).toBeInstanceOf(ctor);
    expect([...t.data]).toEqual([...values]);
  });

  it('copies: the result does not alias the input bytes', () => {
    const bytes = idx(0x08, [2], [9, 9]);
    const t = parseIdx(bytes);
    bytes[bytes.length - 1] = 0;
    expect([...t.data]).toEqual([9, 9]);
  });

  it('reads from a Uint8Array that is a view at an offset', () => {
    const file = idx(0x0b, [2], [513, -2]);
    const big = new Uint8Array(file.length + 5);
    big.set(file, 3);
    const t = parseIdx(big.subarray(3, 3 + file.length));
    expect([...t.data]).toEqual([513, -2]);
  });

  it('accepts a zero-length dimension', () => {
    expect(parseIdx(idx(0x08, [0, 28, 28], [])).shape).toEqual([0, 28, 28]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['too short for a header', new Uint8Array([0, 0, 8]), /only 3 bytes/],
    ['non-zero magic bytes', Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), /bad magic.*0x01 0x00/],
    ['unknown dtype byte', Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 0]), /unknown dtype byte 0x0a/],
    ['gzip bytes', Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]), /gzip-compressed/],
    ['rank 0', Uint8Array.from([0, 0, 8, 0]), /rank 0/],
    ['header cut inside the dims', idx(0x08, [2, 2], [1, 2, 3, 4]).subarray(0, 10), /truncated header/],
    ['data cut short', idx(0x08, [2, 2], [1, 2, 3, 4]).subarray(0, 14), /truncated data.*need 16 bytes, file has 14/],
    ['multi-byte data cut mid-value', idx(0x0c, [2], [1, 2]).subarray(0, 15), /truncated data/],
    ['more data than the dims describe', Uint8Array.from([...idx(0x08, [2], [1, 2]), 3]), /dim mismatch/],
  ];
  it.each(bad)('rejects %s with a clear IdxFormatError', (_, bytes, msg) => {
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(IdxFormatError);
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(msg);
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(/^x\.idx: /);
  });
});

describe('expectIdx', () => {
  const t = parseIdx(idx(0x08, [3, 2, 2], new Array(12).fill(0)));
  it('accepts wildcards', () => expect(() => expectIdx(t, { dtype: 'uint8', shape: [null, 2, 2] })).not.toThrow());
  it('reports a dim mismatch with both shapes', () =>
    expect(() => expectIdx(t, { shape: [null, 28, 28] }, 'f')).toThrow('f: dim mismatch: shape is [3, 2, 2], expected [*, 28, 28]'));
  it('reports a rank mismatch', () => expect(() => expectIdx(t, { shape: [null] })).toThrow(/dim mismatch/));
  it('reports a dtype mismatch', () => expect(() => expectIdx(t, { dtype: 'float32' })).toThrow(/dtype is uint8/));
});

describe('idxToSplit', () => {
  const images = parseIdx(idx(0x08, [3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]));
  const labels = parseIdx(idx(0x08, [3], [9, 0, 4]));

  it('scales pixels to [0,1], adds the channel axis, keeps labels as class indices', () => {
    const { split, inputShape } = idxToSplit(images, labels);
    expect(inputShape).toEqual([2, 2, 1]);
    expect(split.n).toBe(3);
    expect(split.x.length).toBe(12);
    expect([...split.x.subarray(0, 4)]).toEqual([0, 1, 51 / 255, 102 / 255].map(Math.fround));
    expect([...split.y]).toEqual([9, 0, 4]);
  });

  it('keeps only the first `limit` samples, and limits above n are clamped', () => {
    expect(idxToSplit(images, labels, 2).split.n).toBe(2);
    expect(idxToSplit(images, labels, 2).split.x.length).toBe(8);
    expect([...idxToSplit(images, labels, 2).split.y]).toEqual([9, 0]);
    expect(idxToSplit(images, labels, 99).split.n).toBe(3);
    expect(() => idxToSplit(images, labels, -1)).toThrow(/limit/);
  });

  it('rejects image and label counts that disagree', () => {
    const two = parseIdx(idx(0x08, [2], [1, 2]));
    expect(() => idxToSplit(images, two)).toThrow(/3 images but 2 labels/);
  });
});
