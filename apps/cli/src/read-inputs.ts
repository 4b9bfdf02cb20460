import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseIdx } from '@shardgrad/data';
import { UsageError } from './output.ts';
import { imageFromPng } from './png-input.ts';

/** Reads images to classify: PNG files (see imageFromPng) and IDX files (as MNIST ships them), one or many images each. */
export async function readInputs(file: string, inputShape: number[]): Promise<{ name: string; x: Float32Array }[]> {
  const rowSize = inputShape.reduce((a, b) => a * b, 1);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
  if (/\.png$/i.test(file)) {
    try {
      return [{ name: basename(file), x: imageFromPng(bytes, inputShape).x }];
    } catch (e) {
      throw new UsageError(`${file}: ${(e as Error).message}`);
    }
  }
  const idx = parseIdx(bytes);
  const per = idx.shape.slice(1).reduce((a, b) => a * b, 1);
  const single = idx.shape.reduce((a, b) => a * b, 1) === rowSize;
  const count = single ? 1 : idx.shape[0]!;
  if ((single ? rowSize : per) !== rowSize) throw new UsageError(`${file}: images of ${per} values do not fit the model's input of ${rowSize}`);
  const scale = idx.data instanceof Uint8Array ? 1 / 255 : 1;
  return Array.from({ length: count }, (_, i) => {
    const x = new Float32Array(rowSize);
    for (let j = 0; j < rowSize; j++) x[j] = Number(idx.data[i * rowSize + j]) * scale;
    return { name: count === 1 ? basename(file) : `${basename(file)}#${i}`, x };
  });
}
