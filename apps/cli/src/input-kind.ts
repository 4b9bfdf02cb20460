import { extname } from 'node:path';
import { hasPngSignature } from '@shardgrad/data';

export type InputKind = 'png' | 'idx';

/** MNIST's own names (t10k-images-idx3-ubyte) and the usual .idx, .idx3, .ubyte ones. */
const IDX_NAME = /(\.idx\d*|[-.]ubyte)$/i;
/** The dtype bytes an IDX header can hold (idx.ts lists what each means). */
const IDX_DTYPES = new Set([0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e]);

/**
 * What a predict input holds: by its name where the name says (`.png`, IDX names), else by its first
 * bytes; anything else is refused with words, rather than read as IDX and reported as a bad magic.
 * `name` is the file's name without a `.gz`.
 */
export function inputKind(name: string, bytes: Uint8Array): InputKind | string {
  if (/\.png$/i.test(name)) return 'png';
  if (IDX_NAME.test(name)) return 'idx';
  if (hasPngSignature(bytes)) return 'png';
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && IDX_DTYPES.has(bytes[2]!) && bytes[3]! > 0) return 'idx';
  const ext = extname(name);
  const what = bytes[0] === 0xff && bytes[1] === 0xd8 ? 'a JPEG image (convert it to PNG)' : bytes.length === 0 ? 'an empty file' : ext ? `a ${ext} file` : 'a file';
  return `${what} that is neither a PNG image nor an IDX file; predict reads .png pictures and IDX files (.idx, *-ubyte), each optionally gzipped (.gz)`;
}
