// TFRecord framing, the container TensorBoard event files use:
//   uint64 LE length | uint32 LE masked crc32c(length bytes) | data | uint32 LE masked crc32c(data)
// The separate length CRC lets a reader tell a torn header from a huge record before allocating.
import { maskedCrc32c } from './crc32c.ts';

const LENGTH_BYTES = 8;
const CRC_BYTES = 4;
/** Framing bytes around each record's data. */
export const RECORD_OVERHEAD = LENGTH_BYTES + CRC_BYTES + CRC_BYTES;

/** Frames `data` as one record, ready to append to a file with a single write. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_OVERHEAD + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(LENGTH_BYTES, maskedCrc32c(out.subarray(0, LENGTH_BYTES)), true);
  out.set(data, LENGTH_BYTES + CRC_BYTES);
  view.setUint32(LENGTH_BYTES + CRC_BYTES + data.length, maskedCrc32c(data), true);
  return out;
}

/** Thrown for any framing problem; `offset` is the byte where the bad record starts. */
export class RecordError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}record at byte offset ${offset}: ${message}`);
    this.name = 'RecordError';
  }
}

export interface FramedRecord {
  /** Byte offset of the record's length field in the file. */
  offset: number;
  data: Uint8Array;
}

/**
 * Yields every record of `buf`, checking both CRCs. Throws {@link RecordError} on a CRC mismatch or
 * on trailing bytes too short to be a whole record, because a silently dropped tail would hide a
 * crash or a corrupted copy. `source` (usually the file path) only labels the error.
 */
export function* readRecords(buf: Uint8Array, source?: string): Generator<FramedRecord> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let offset = 0;
  while (offset < buf.length) {
    const remaining = buf.length - offset;
    if (remaining < LENGTH_BYTES + CRC_BYTES) {
      throw new RecordError(`truncated header (${remaining} of 12 bytes)`, offset, source);
    }
    const lengthBytes = buf.subarray(offset, offset + LENGTH_BYTES);
    const storedLengthCrc = view.getUint32(offset + LENGTH_BYTES, true);
    const lengthCrc = maskedCrc32c(lengthBytes);
    if (storedLengthCrc !== lengthCrc) {
      throw new RecordError(
        `length CRC mismatch (stored 0x${hex(storedLengthCrc)}, computed 0x${hex(lengthCrc)})`,
        offset,
        source,
      );
    }
    const length = view.getBigUint64(offset, true);
    const dataStart = offset + LENGTH_BYTES + CRC_BYTES;
    const available = BigInt(buf.length - dataStart - CRC_BYTES);
    if (length > available) {
      throw new RecordError(
        `truncated record (length ${length}, only ${available < 0n ? 0n : available} data bytes left)`,
        offset,
        source,
      );
    }
    const dataEnd = dataStart + Number(length);
    const data = buf.subarray(dataStart, dataEnd);
    const storedDataCrc = view.getUint32(dataEnd, true);
    const dataCrc = maskedCrc32c(data);
    if (storedDataCrc !== dataCrc) {
      throw new RecordError(
        `data CRC mismatch (stored 0x${hex(storedDataCrc)}, computed 0x${hex(dataCrc)})`,
        offset,
        source,
      );
    }
    yield { offset, data };
    offset = dataEnd + CRC_BYTES;
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
