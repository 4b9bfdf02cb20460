import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import type { Dataset } from './dataset.ts';
import { DatasetWireError, decodeDatasetWire, encodeDatasetWire } from './dataset-wire.ts';
import { loadMnist } from './mnist.node.ts';

function tiny(x: number[], n: number): Dataset {
  return {
    name: 'tiny',
    inputShape: [2],
    labelSize: 1,
    numClasses: 2,
    train: { x: Float32Array.from(x), y: Float32Array.from({ length: n }, (_, i) => i % 2), n },
    test: { x: Float32Array.from([9, 9]), y: Float32Array.from([1]), n: 1 },
  };
}

const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && new Uint32Array(a.buffer, a.byteOffset, a.length).every((v, i) => v === new Uint32Array(b.buffer, b.byteOffset, b.length)[i]);

describe('dataset wire format', () => {
  it('carries the MNIST training split bit for bit, in about a byte per pixel', () => {
    const ds = loadMnist();
    const bytes = encodeDatasetWire(ds);
    const back = decodeDatasetWire(bytes);
    expect(back.name).toBe('mnist');
    expect(back.inputShape).toEqual(ds.inputShape);
    expect(back.classNames).toEqual(ds.classNames);
    expect(back.train.n).toBe(ds.train.n);
    expect(sameBits(back.train.x, ds.train.x)).toBe(true);
    expect(sameBits(back.train.y, ds.train.y)).toBe(true);
    // The test split stays home unless asked for.
    expect(back.test.n).toBe(0);
    expect(bytes.byteLength).toBeLessThan(ds.train.x.length * 1.1 + ds.train.y.byteLength + 4096);
  });

  it('falls back to float32 when values do not fit a palette, and keeps -0 and NaN bits', () => {
    const many = Array.from({ length: 600 }, (_, i) => i / 7);
    many[3] = -0;
    many[5] = NaN;
    const ds = tiny(many, 300);
    const back = decodeDatasetWire(encodeDatasetWire(ds, ['train', 'test']));
    expect(sameBits(back.train.x, ds.train.x)).toBe(true);
    expect(Object.is(back.train.x[3], -0)).toBe(true);
    expect(back.test.n).toBe(1);
    expect(Array.from(back.test.x)).toEqual([9, 9]);
  });

  it('refuses payloads that are not a dataset, with a clear error', () => {
    expect(() => decodeDatasetWire(new Uint8Array([0xc1, 0x00]))).toThrow(DatasetWireError);
    const packr = new Packr({ useRecords: false });
    expect(() => decodeDatasetWire(packr.pack({ magic: 'other' }))).toThrow(/not a shardgrad dataset/);
    const good = encodeDatasetWire(tiny([0, 1, 1, 0], 2));
    expect(() => decodeDatasetWire(good.subarray(0, good.length - 3))).toThrow(DatasetWireError);
  });

  it('refuses a payload whose sizes disagree or whose palette index is out of range', () => {
    const packr = new Packr({ useRecords: false });
    const base = { magic: 'shardgrad-dataset', version: 1, name: 't', inputShape: [2], labelSize: 1, numClasses: 2 };
    const y = new Uint8Array(new Float32Array([0]).buffer);
    const empty = { n: 0, x: new Uint8Array(0), y: new Uint8Array(0) };
    const palette = new Uint8Array(new Float32Array([0, 1]).buffer);
    expect(() => decodeDatasetWire(packr.pack({ ...base, train: { n: 1, palette, x: new Uint8Array([0, 5]), y }, test: empty }))).toThrow(/palette entry 5/);
    expect(() => decodeDatasetWire(packr.pack({ ...base, train: { n: 2, palette, x: new Uint8Array([0, 1]), y }, test: empty }))).toThrow(/expected/);
    expect(() => decodeDatasetWire(packr.pack({ ...base, version: 99, train: empty, test: empty }))).toThrow(/format version 99/);
    expect(() => decodeDatasetWire(packr.pack({ ...base, inputShape: [-1], train: empty, test: empty }))).toThrow(/inputShape/);
  });
});
