import { describe, expect, it } from 'vitest';
import { pack } from 'msgpackr';
import { CodecError, decodeTensors, encodeTensors, type TensorData } from './tensor-codec.ts';
import { schemaHash } from './schema-hash.ts';

const roundTrip = (t: TensorData[]) => decodeTensors(encodeTensors(t));

describe('tensor codec', () => {
  it('round-trips shapes, dtypes and values bit for bit', () => {
    const f = new Float32Array([1.5, -0, NaN, Infinity, 3.4028234663852886e38, 1e-45]);
    const i = new Int32Array([0, -1, 2 ** 31 - 1, -(2 ** 31)]);
    const out = roundTrip([
      { shape: [2, 3], dtype: 'float32', data: f },
      { shape: [4], dtype: 'int32', data: i },
      { shape: [], dtype: 'float32', data: new Float32Array([7]) },
    ]);
    expect(out.map((t) => t.shape)).toEqual([[2, 3], [4], []]);
    expect(out.map((t) => t.dtype)).toEqual(['float32', 'int32', 'float32']);
    expect(new Uint8Array(out[0]!.data.buffer)).toEqual(new Uint8Array(f.buffer));
    expect(Array.from(out[1]!.data)).toEqual(Array.from(i));
    expect(out[0]!.data).toBeInstanceOf(Float32Array);
    expect(out[1]!.data).toBeInstanceOf(Int32Array);
  });

  it('handles empty tensors and an empty list', () => {
    expect(roundTrip([])).toEqual([]);
    const out = roundTrip([{ shape: [0, 5], dtype: 'float32', data: new Float32Array(0) }]);
    expect(out[0]!.shape).toEqual([0, 5]);
    expect(out[0]!.data.length).toBe(0);
  });

  it('handles large tensors and views at odd offsets, with binary size close to the raw bytes', () => {
    const big = new Float32Array(1_000_000).map((_, k) => Math.sin(k));
    const backing = new Float32Array(big.length + 3);
    backing.set(big, 3);
    const view = backing.subarray(3);
    const bytes = encodeTensors([{ shape: [1000, 1000], dtype: 'float32', data: view }]);
    expect(bytes.byteLength).toBeLessThan(4_000_000 + 64);
    const [t] = decodeTensors(bytes);
    expect(Buffer.compare(Buffer.from(t!.data.buffer), Buffer.from(big.buffer))).toBe(0);
  });

  it('refuses data that does not match its shape when encoding', () => {
    expect(() => encodeTensors([{ shape: [3], dtype: 'float32', data: new Float32Array(2) }])).toThrow(CodecError);
  });

  it('gives a clear CodecError for malformed bytes', () => {
    const good = encodeTensors([{ shape: [2], dtype: 'float32', data: new Float32Array([1, 2]) }]);
    const cases: Uint8Array[] = [
      new Uint8Array(),
      new Uint8Array([0xc1]),
      good.subarray(0, good.length - 3),
      encodeTensorsRaw([2, []]),
      encodeTensorsRaw([1, [[[2], 'float64', new Uint8Array(16)]]]),
      encodeTensorsRaw([1, [[[3], 'float32', new Uint8Array(8)]]]),
      encodeTensorsRaw([1, [[[-1], 'float32', new Uint8Array(0)]]]),
      encodeTensorsRaw([1, [[[1, 1, 1, 1, 1, 1, 1, 1, 1], 'float32', new Uint8Array(4)]]]),
      encodeTensorsRaw([1, [[[1], 'float32', [1, 2, 3, 4]]]]),
      encodeTensorsRaw({ __proto__: { polluted: true } }),
    ];
    for (const bytes of cases) {
      expect(() => decodeTensors(bytes)).toThrow(CodecError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses payloads above the size limit before parsing them', () => {
    const bytes = encodeTensors([{ shape: [100], dtype: 'float32', data: new Float32Array(100) }]);
    expect(() => decodeTensors(bytes, 100)).toThrow(/exceeds/);
  });
});

describe('schema hash', () => {
  it('is stable for equal specs and differs when a shape or dtype differs', () => {
    const a = schemaHash([{ shape: [784, 128], dtype: 'float32' }, { shape: [128], dtype: 'float32' }]);
    expect(a).toBe(schemaHash([{ shape: [784, 128], dtype: 'float32' }, { shape: [128], dtype: 'float32' }]));
    expect(a).not.toBe(schemaHash([{ shape: [784, 127], dtype: 'float32' }, { shape: [128], dtype: 'float32' }]));
    expect(a).not.toBe(schemaHash([{ shape: [784, 128], dtype: 'int32' }, { shape: [128], dtype: 'float32' }]));
    expect(a).not.toBe(schemaHash([{ shape: [128], dtype: 'float32' }, { shape: [784, 128], dtype: 'float32' }]));
  });
});

// Builds msgpack bytes of arbitrary structure, to forge payloads the encoder would never write.
function encodeTensorsRaw(v: unknown): Uint8Array {
  return pack(v);
}
