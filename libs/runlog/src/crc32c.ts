// CRC32C (Castagnoli), the checksum TFRecord framing uses. Node has zlib.crc32 (IEEE polynomial,
// and only from Node 22), which is a different polynomial, so we carry our own table.

// Reflected form of polynomial 0x1EDC6F41; reflected because the algorithm consumes bits LSB-first.
const POLYNOMIAL = 0x82f63b78;

// One 256-entry table (1 KiB) is plenty: event records are a few hundred bytes, so slice-by-8
// would add code for no measurable gain.
const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32C of `data` as an unsigned 32-bit integer. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// TFRecord stores a "masked" CRC: a CRC computed over bytes that themselves contain CRCs tends to be
// degenerate, so the stored value is rotated and offset. The constant comes from TensorFlow's
// lib/hash/crc32c.h and must match bit for bit or TensorBoard rejects the record.
const MASK_DELTA = 0xa282ead8;

/** Rotates and offsets a CRC the way TFRecord stores it. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Inverse of {@link maskCrc}. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** The masked CRC32C of `data`, as written into a TFRecord header or footer. */
export function maskedCrc32c(data: Uint8Array): number {
  return maskCrc(crc32c(data));
}
