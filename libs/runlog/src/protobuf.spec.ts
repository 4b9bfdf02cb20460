import { describe, expect, it } from 'vitest';
import { ProtoReader, ProtoWriter, WireType } from './protobuf.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ProtoWriter', () => {
  it('encodes varints as in the protobuf spec', () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().varint(2, 0).finish())).toBe('1000');
    expect(hex(new ProtoWriter().varint(2, 2 ** 32).finish())).toBe('108080808010');
  });

  it('encodes strings, doubles and floats with their wire types', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    expect(hex(new ProtoWriter().double(1, 1).finish())).toBe('09000000000000f03f');
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('150000803f');
  });

  it('refuses negative and unsafe varints instead of corrupting them', () => {
    expect(() => new ProtoWriter().varint(1, -1)).toThrow(RangeError);
    expect(() => new ProtoWriter().varint(1, 2 ** 53)).toThrow(RangeError);
    expect(() => new ProtoWriter().varint(1, 1.5)).toThrow(RangeError);
  });
});

describe('ProtoReader', () => {
  it('round-trips every field kind and skips unknown fields', () => {
    const inner = new ProtoWriter().string(1, 'x');
    const bytes = new ProtoWriter()
      .varint(1, Number.MAX_SAFE_INTEGER)
      .double(2, Math.PI)
      .float(3, 0.1)
      .string(4, 'héllo')
      .message(5, inner)
      .varint(99, 7)
      .finish();
    const r = new ProtoReader(bytes);
    const seen: unknown[] = [];
    for (let key = r.next(); key; key = r.next()) {
      if (key.field === 1) seen.push(r.varint());
      else if (key.field === 2) seen.push(r.double());
      else if (key.field === 3) seen.push(r.float());
      else if (key.field === 4) seen.push(r.string());
      else if (key.field === 5) seen.push(r.bytes().length);
      else r.skip(key.wireType);
    }
    expect(seen).toEqual([Number.MAX_SAFE_INTEGER, Math.PI, Math.fround(0.1), 'héllo', 3]);
  });

  it('reads 10-byte negative int64 varints', () => {
    const r = new ProtoReader(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(r.varint()).toBe(-1);
  });

  it('throws on truncation and on group wire types', () => {
    const bytes = new ProtoWriter().string(1, 'abcdef').finish();
    const r = new ProtoReader(bytes.subarray(0, 4));
    const key = r.next()!;
    expect(key).toEqual({ field: 1, wireType: WireType.LengthDelimited });
    expect(() => r.bytes()).toThrow(/truncated/);
    expect(() => new ProtoReader(Uint8Array.from([0x0b])).skip(3)).toThrow(/wire type 3/);
  });
});
