import { describe, expect, it } from 'vitest';
import { pack } from 'msgpackr';
import { HALF_MAX, fromHalfBits, toHalfBits } from './half.ts';
import { compressTensor } from './compressed-tensor.ts';
import { ErrorFeedback } from './error-feedback.ts';
import { CodecError, decodeTensors, decodeTensorsWithEncodings, encodeTensors, type TensorData } from './tensor-codec.ts';

/** A seeded generator, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const gaussian = (r: () => number) => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
const randomGrad = (n: number, seed: number, sigma = 1e-3) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => gaussian(r) * sigma);
};
const decodeOne = (t: Parameters<typeof encodeTensors>[0][number]) => decodeTensors(encodeTensors([t]))[0]!.data as Float32Array;

describe('fp16 encoding', () => {
  it('rounds to nearest, ties to even, at known bit patterns', () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.1, 0x2e66], [1 / 3, 0x3555],
      [HALF_MAX, 0x7bff], [65519, 0x7bff], // just below the rounding point to 65536
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], // ties go to the even neighbour
      [2 ** -14, 0x0400], [2 ** -24, 0x0001], [2 ** -25, 0x0000], [1.5 * 2 ** -25, 0x0001], [3 * 2 ** -25, 0x0002], // subnormals
      [2 ** -14 - 2 ** -25, 0x0400], // the largest subnormal's upper tie carries into the smallest normal
    ];
    for (const [x, bits] of cases) expect(toHalfBits(x).toString(16), String(x)).toBe(bits.toString(16));
  });

  it('clamps finite values beyond half range and keeps NaN and ±Infinity non-finite', () => {
    expect(fromHalfBits(toHalfBits(65520))).toBe(HALF_MAX);
    expect(fromHalfBits(toHalfBits(1e30))).toBe(HALF_MAX);
    expect(fromHalfBits(toHalfBits(-3.4e38))).toBe(-HALF_MAX);
    expect(fromHalfBits(toHalfBits(NaN))).toBeNaN();
    expect(fromHalfBits(toHalfBits(Infinity))).toBe(Infinity);
    expect(fromHalfBits(toHalfBits(-Infinity))).toBe(-Infinity);
  });

  it('maps every finite half to itself and every midpoint to the even neighbour', () => {
    // Plain comparisons, one expect at the end: 100k expect() calls would take seconds.
    const wrong: number[] = [];
    for (let h = 0; h < 0x7c00; h++) {
      if (toHalfBits(fromHalfBits(h)) !== h || toHalfBits(-fromHalfBits(h)) !== (h | 0x8000)) wrong.push(h);
      if (h < 0x7bff) {
        const mid = (fromHalfBits(h) + fromHalfBits(h + 1)) / 2; // exact in float32 for halves
        if (toHalfBits(mid) !== (h % 2 === 0 ? h : h + 1)) wrong.push(h);
        if (toHalfBits(Math.fround(mid + Math.abs(mid) * 2 ** -20)) !== h + 1) wrong.push(h);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('keeps the relative error of normal values within half an ulp (2^-11) through the codec', () => {
    const r = rng(7);
    const x = Float32Array.from({ length: 20_000 }, () => (r() < 0.5 ? -1 : 1) * 2 ** (-14 + 29.9 * r()));
    const y = decodeOne(compressTensor([x.length], x, 'fp16'));
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(y[i]! - x[i]!) / Math.abs(x[i]!));
    expect(worst).toBeLessThanOrEqual(2 ** -11);
    expect(worst).toBeGreaterThan(2 ** -13); // it does round: not a float32 pass-through
  });
});

describe('int8 encoding', () => {
  it('stays within half a quantisation step of each block, and is close in norm', () => {
    const x = randomGrad(10_000, 3);
    x[17] = 0.5; // an outlier: only its own block should lose resolution
    const c = compressTensor([100, 100], x, 'int8');
    const y = decodeOne(c);
    let err2 = 0;
    let norm2 = 0;
    for (let b = 0; b * 256 < x.length; b++) {
      let max = 0;
      for (let i = b * 256; i < Math.min(x.length, (b + 1) * 256); i++) max = Math.max(max, Math.abs(x[i]!));
      for (let i = b * 256; i < Math.min(x.length, (b + 1) * 256); i++) {
        expect(Math.abs(y[i]! - x[i]!)).toBeLessThanOrEqual((max / 254) * (1 + 1e-5));
        if (b > 0) {
          err2 += (y[i]! - x[i]!) ** 2;
          norm2 += x[i]! ** 2;
        }
      }
    }
    // Gaussian blocks: RMS error ≈ step/√12 ≈ 3.5σ/127/3.5 → about 0.3% of the norm.
    expect(Math.sqrt(err2 / norm2)).toBeLessThan(0.01);
    expect(c.bytes.byteLength + c.scales!.byteLength).toBe(10_000 + 4 * Math.ceil(10_000 / 256));
  });

  it('decodes zero blocks to zeros and non-finite inputs to non-finite values', () => {
    expect(Array.from(decodeOne(compressTensor([5], new Float32Array(5), 'int8')))).toEqual([0, 0, 0, 0, 0]);
    const y = decodeOne(compressTensor([3], Float32Array.from([1, NaN, 2]), 'int8'));
    expect(y.some((v) => !Number.isFinite(v))).toBe(true);
  });

  it('shrinks the payload about 4× (int8) and 2× (fp16), and the payload names its encodings', () => {
    const x = randomGrad(100_000, 5);
    const raw = encodeTensors([{ shape: [x.length], dtype: 'float32', data: x }]).byteLength;
    const half = encodeTensors([compressTensor([x.length], x, 'fp16')]);
    const q = encodeTensors([compressTensor([x.length], x, 'int8'), { shape: [2], dtype: 'int32', data: Int32Array.from([1, 2]) }]);
    expect(raw / half.byteLength).toBeGreaterThan(1.99);
    expect(raw / q.byteLength).toBeGreaterThan(3.9);
    expect(decodeTensorsWithEncodings(half).encodings).toEqual(['fp16']);
    const d = decodeTensorsWithEncodings(q);
    expect(d.encodings).toEqual(['int8', 'none']);
    expect(d.tensors.map((t) => t.dtype)).toEqual(['float32', 'int32']);
    expect(d.tensors[0]!.data).toBeInstanceOf(Float32Array);
  });
});

describe('error feedback', () => {
  for (const encoding of ['int8', 'fp16'] as const) {
    it(`${encoding}: the sum of decoded results tracks the sum of true gradients within one round's error`, () => {
      const ef = new ErrorFeedback();
      const n = 2048;
      const r = rng(11);
      const sumTrue = new Float64Array(n);
      const sumSent = new Float64Array(n);
      const sumNoEf = new Float64Array(n);
      let lastBound = 0;
      for (let round = 0; round < 60; round++) {
        const count = 8 + Math.floor(r() * 24); // shares change from round to round
        // A persistent small bias next to a large entry per block: plain int8 rounds it to zero each round.
        const g = randomGrad(n, 100 + round, 1e-4);
        for (let i = 0; i < n; i++) g[i] = g[i]! + 3e-4 + (i % 256 === 0 ? 0.1 : 0);
        const [sent] = decodeTensors(encodeTensors(ef.compress('run/a', [{ shape: [n], dtype: 'float32', data: g }], encoding, count)));
        const plain = decodeOne(compressTensor([n], g, encoding));
        for (let i = 0; i < n; i++) {
          sumTrue[i] += count * g[i]!;
          sumSent[i] += count * sent!.data[i]!;
          sumNoEf[i] += count * plain[i]!;
        }
        // One round's quantisation error: half a step of the largest block (int8) or half an ulp of 0.1 (fp16).
        lastBound = count * (encoding === 'int8' ? 0.11 / 254 : 2 ** -11 * 0.11);
      }
      let efErr = 0;
      let plainErr = 0;
      for (let i = 0; i < n; i++) {
        efErr = Math.max(efErr, Math.abs(sumSent[i]! - sumTrue[i]!));
        plainErr = Math.max(plainErr, Math.abs(sumNoEf[i]! - sumTrue[i]!));
      }
      expect(efErr).toBeLessThanOrEqual(lastBound);
      // Without feedback the error keeps growing with the rounds: the test can tell the difference.
      expect(plainErr).toBeGreaterThan(5 * efErr);
      expect(ef.residual(0)).toBeDefined();
    });
  }

  it('resets the residual when the run changes and pays it back in full when compression is switched off', () => {
    const ef = new ErrorFeedback();
    const g: TensorData = { shape: [4], dtype: 'float32', data: Float32Array.from([1, 0.001, 0.002, -0.0031]) };
    ef.compress('run/a', [g], 'int8', 10);
    expect(Array.from(ef.residual(0)!).some((v) => v !== 0)).toBe(true);
    const owed = Float32Array.from(ef.residual(0)!);
    const [out] = ef.compress('run/a', [g], 'none', 10) as TensorData[];
    for (let i = 0; i < 4; i++) expect(out!.data[i]).toBeCloseTo(g.data[i]! + owed[i]! / 10, 7);
    expect(ef.residual(0)).toBeUndefined();
    ef.compress('run/a', [g], 'int8', 10);
    ef.compress('run/b', [g], 'none', 10);
    expect(ef.residual(0)).toBeUndefined();
    // 'none' with nothing owed hands back the very same tensor: the exact path stays bit for bit.
    expect(ef.compress('run/b', [g], 'none', 10)[0]).toBe(g);
  });
});

describe('compressed payloads from an untrusted peer', () => {
  const half = (n: number) => new Uint8Array(2 * n);
  const scales = (k: number, v = 0.01) => new Uint8Array(Float32Array.from({ length: k }, () => v).buffer);
  it('refuses malformed compressed items with a clear CodecError', () => {
    const cases: [unknown, RegExp][] = [
      [[1, [[[4], 'float32', half(3), 'fp16']]], /fp16 data of 4 values needs 8 bytes/],
      [[1, [[[4], 'float32', half(4), 'fp16', 1, 2]]], /fp16 item has extra fields/],
      [[1, [[[4], 'float32', half(4), 'float8']]], /unknown encoding/],
      [[1, [[[4], 'int32', half(4), 'fp16']]], /only float32 tensors may be compressed/],
      [[1, [[[4], 'float32', new Uint8Array(4), 'int8', 0, scales(1)]]], /block size 0/],
      [[1, [[[4], 'float32', new Uint8Array(4), 'int8', 2.5, scales(2)]]], /block size 2.5/],
      [[1, [[[4], 'float32', new Uint8Array(4), 'int8', 2 ** 20, scales(1)]]], /block size/],
      [[1, [[[4], 'float32', new Uint8Array(4), 'int8', '2', scales(2)]]], /block size/],
      [[1, [[[4], 'float32', new Uint8Array(5), 'int8', 2, scales(2)]]], /needs 4 bytes, got 5/],
      [[1, [[[4], 'float32', new Uint8Array(4), 'int8', 2, scales(3)]]], /needs 2 float32 scales/],
      [[1, [[[4], 'float32', new Uint8Array(4), 'int8', 2, [0.1, 0.1]]]], /scales are not binary/],
      [[1, [[[4], 'float32', new Uint8Array(4), 'int8', 2, scales(2, -1)]]], /negative/],
      [[1, [[[4], 'float32', new Uint8Array(4), 'int8', 2]]], /not \[shape, dtype, data\]/],
    ];
    for (const [v, why] of cases) {
      expect(() => decodeTensors(pack(v)), JSON.stringify(v)).toThrow(CodecError);
      expect(() => decodeTensors(pack(v)), JSON.stringify(v)).toThrow(why);
    }
  });

  it('decodes a forged but well-formed int8 item with a NaN scale to non-finite values, for the coordinator to refuse', () => {
    const [t] = decodeTensors(pack([1, [[[2], 'float32', Uint8Array.from([1, 2]), 'int8', 2, scales(1, NaN)]]]));
    expect(Number.isNaN(t!.data[0])).toBe(true);
  });
});
