import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { msgpackSizeProblem } from './msgpack-scan.ts';
import { CodecError, decodeTensors } from './tensor-codec.ts';

const packr = new Packr({ useRecords: false, structuredClone: false });

describe('msgpack size pre-scan', () => {
  it('accepts everything msgpackr writes', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3, withTypedArray: true, withMap: true, withBigInt: true, withDate: true }), (v) => {
        let bytes: Uint8Array;
        try {
          bytes = packr.pack(v);
        } catch {
          return;
        }
        expect(msgpackSizeProblem(bytes)).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses headers that announce more than the buffer holds, before anything is allocated', () => {
    expect(msgpackSizeProblem(Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff]))).toMatch(/values announced/);
    expect(msgpackSizeProblem(Uint8Array.from([0xdf, 0x01, 0x00, 0x00, 0x00, 0x01]))).toMatch(/values announced/);
    expect(msgpackSizeProblem(Uint8Array.from([0xc6, 0x7f, 0xff, 0xff, 0xff, 0x00]))).toMatch(/runs past the end/);
    expect(msgpackSizeProblem(Uint8Array.from([0xc1]))).toMatch(/invalid byte/);
    expect(msgpackSizeProblem(Uint8Array.from([0x92, 0x01]))).toMatch(/truncated|announced/);
    expect(() => decodeTensors(Uint8Array.from([0xdd, 0x01, 0x91, 0x93, 0x97, 0xa7, 0x66, 0x6c, 0x6f, 0x61]))).toThrow(CodecError);
  });
});
