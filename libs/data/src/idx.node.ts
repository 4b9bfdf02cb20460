/** Node file access for IDX files: the only place that touches the disk or zlib for them. */
import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { parseIdx, type IdxTensor } from './idx.ts';

const gunzipAsync = promisify(gunzip);

/**
 * Read a file's bytes, gunzipping when it is gzip. The gzip magic decides, not only the name,
 * because mirrors are inconsistent about keeping the .gz suffix on compressed files.
 */
export async function readMaybeGzip(path: string): Promise<Uint8Array> {
  const raw = await readFile(path);
  const gz = path.endsWith('.gz') || (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b);
  const buf = gz ? await gunzipAsync(raw) : raw;
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export async function readIdxFile(path: string): Promise<IdxTensor> {
  return parseIdx(await readMaybeGzip(path), path);
}
