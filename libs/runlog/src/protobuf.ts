// The few pieces of the protobuf wire format that TensorBoard event files need. A protobuf library
// plus generated code for tensorflow's event.proto would be heavier than these ~150 lines, and the
// messages we write (Event, Summary, Value, SessionLog) are small and frozen upstream.

/** Wire types from the protobuf encoding spec. Groups (3, 4) are deprecated and never appear here. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const textEncoder = new TextEncoder();
// fatal: a tag that is not valid UTF-8 means the file is not what we think it is.
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Builds one message. Fields are emitted in call order, which is what protobuf parsers expect. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private tag(field: number, wireType: WireType): void {
    this.rawVarint(field * 8 + wireType);
  }

  // Arithmetic instead of `>>>` because JS bit operators truncate to 32 bits, and steps may
  // exceed 2^31 in long runs. Numbers above 2^53 cannot be held exactly anyway, so they are refused.
  private rawVarint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`varint must be a non-negative safe integer, got ${value}`);
    }
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  /** int64/uint64/enum/bool field. Negative values are not supported (we never write them). */
  varint(field: number, value: number): this {
    this.tag(field, WireType.Varint);
    this.rawVarint(value);
    return this;
  }

  double(field: number, value: number): this {
    this.tag(field, WireType.Fixed64);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.push(bytes);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WireType.Fixed32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Embedded message: on the wire it is just length-delimited bytes. */
  message(field: number, message: ProtoWriter): this {
    return this.bytes(field, message.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** A field key as read from the wire. */
export interface FieldKey {
  field: number;
  wireType: number;
}

/** Sequential reader over one message. Throws on anything malformed rather than guessing. */
export class ProtoReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** The next field key, or undefined at the end of the message. */
  next(): FieldKey | undefined {
    if (this.pos >= this.buf.length) return undefined;
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) throw new Error(`protobuf: field number 0 at byte ${this.pos}`);
    return { field, wireType: key % 8 };
  }

  /**
   * Varints are read as BigInt so that a 10-byte int64 cannot silently wrap; the result must still
   * fit a JS number exactly, which every step count and enum we read does.
   */
  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const byte = this.byte();
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        // int64 fields store negatives as 10-byte two's complement; fold them back.
        const signed = BigInt.asIntN(64, result);
        const n = Number(signed);
        if (!Number.isSafeInteger(n)) throw new Error(`protobuf: varint ${signed} exceeds 2^53`);
        return n;
      }
      shift += 7n;
    }
    throw new Error(`protobuf: varint longer than 10 bytes at byte ${this.pos}`);
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  bytes(): Uint8Array {
    const len = this.varint();
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return textDecoder.decode(this.bytes());
  }

  /** Skips a field we do not model (graph_def, histograms, images…) so foreign files still decode. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.LengthDelimited:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new Error(`protobuf: unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  /** Asserts a field's wire type; a mismatch means a schema we don't know, not data to guess at. */
  expect(key: FieldKey, expected: WireType): void {
    if (key.wireType !== expected) {
      throw new Error(
        `protobuf: field ${key.field} has wire type ${key.wireType}, expected ${expected}`,
      );
    }
  }

  private byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new Error(`protobuf: message truncated at byte ${this.pos} (needs ${n} more)`);
    }
  }
}
