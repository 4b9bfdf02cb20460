import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { IdxFormatError, parseIdx } from '@shardgrad/data';
import { UsageError } from './output.ts';
import { imageFromPng } from './png-input.ts';
import { inputKind } from './input-kind.ts';

/**
 * Reads images to classify: PNG files (see imageFromPng) and IDX files (as MNIST ships them), one or
 * many images each. Every refusal names the file: predict takes several, and --test-index rows too.
 */
export async function readInputs(file: string, inputShape: number[]): Promise<{ name: string; x: Float32Array }[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const refuse = (why: string) => new UsageError(`${file}: ${why}`);
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (/\.gz$/i.test(file) && !gzipped) throw refuse('is named .gz but is not gzip-compressed');
  if (gzipped) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw refuse('its gzip data is damaged or cut short');
    }
  }
  const kind = inputKind(basename(file).replace(/\.gz$/i, ''), bytes);
  if (kind === 'png') {
    try {
      return [{ name: basename(file), x: imageFromPng(bytes, inputShape).x }];
    } catch (e) {
      throw refuse((e as Error).message);
    }
  }
  if (kind !== 'idx') throw refuse(kind);
  return idxImages(file, bytes, inputShape);
}

function idxImages(file: string, bytes: Uint8Array, inputShape: number[]): { name: string; x: Float32Array }[] {
  const rowSize = inputShape.reduce((a, b) => a * b, 1);
  let idx: ReturnType<typeof parseIdx>;
  try {
    idx = parseIdx(bytes, file);
  } catch (e) {
    if (e instanceof IdxFormatError) throw new UsageError(e.message);
    throw e;
  }
  const per = idx.shape.slice(1).reduce((a, b) => a * b, 1);
  const single = idx.shape.reduce((a, b) => a * b, 1) === rowSize;
  const count = single ? 1 : idx.shape[0]!;
  if ((single ? rowSize : per) !== rowSize) throw new UsageError(`${file}: images of ${per} values do not fit the model's input of ${rowSize}`);
  const scale = idx.data instanceof Uint8Array ? 1 / 255 : 1;
  return Array.from({ length: count }, (_, i) => {
    const x = new Float32Array(rowSize);
    for (let j = 0; j < rowSize; j++) {
      x[j] = Number(idx.data[i * rowSize + j]) * scale;
      // A float file's NaN or infinity would come out as a class "with NaN% confidence".
      if (!Number.isFinite(x[j])) throw new UsageError(`${file}: image ${i} holds ${x[j]} at value ${j}; inputs must be finite numbers`);
    }
    return { name: count === 1 ? basename(file) : `${basename(file)}#${i}`, x };
  });
}
