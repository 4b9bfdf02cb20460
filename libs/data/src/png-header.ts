/**
 * The size a PNG declares, read from its first 24 bytes without decoding: a decoder allocates for
 * that size up front, so a tiny file can claim gigabytes, and a cache can be checked against it.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const IHDR = [0x49, 0x48, 0x44, 0x52];

/** Bytes of a PNG up to the end of the width and height in its IHDR chunk. */
export const PNG_HEADER_BYTES = 24;

export interface PngSize {
  width: number;
  height: number;
}

/** Whether `bytes` start the way every PNG file does. */
export function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.length >= SIGNATURE.length && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** The declared width and height, or a reason the bytes do not start a PNG (in words for an error message). */
export function pngSize(bytes: Uint8Array): PngSize | string {
  if (bytes.length === 0) return 'the file is empty';
  if (!hasPngSignature(bytes)) return 'no PNG signature at the start';
  if (bytes.length < PNG_HEADER_BYTES) return `only ${bytes.length} bytes: the PNG header is cut short`;
  if (!IHDR.every((b, i) => bytes[12 + i] === b)) return 'no IHDR chunk after the signature';
  const view = new DataView(bytes.buffer, bytes.byteOffset, PNG_HEADER_BYTES);
  const width = view.getUint32(16, false);
  const height = view.getUint32(20, false);
  if (width === 0 || height === 0) return `a PNG of ${width}×${height} pixels holds no image`;
  return { width, height };
}
