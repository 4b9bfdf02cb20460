import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from './output.ts';
import { readInputs } from './read-inputs.ts';

const dir = mkdtempSync(join(tmpdir(), 'sg-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** An IDX file of float32 images [n, 2, 2], written by hand. */
function floatIdx(values: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 12 + 4 * values.length);
  const v = new DataView(bytes.buffer);
  bytes[2] = 0x0d;
  bytes[3] = 3;
  [values.length / 4, 2, 2].forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  values.forEach((x, i) => v.setFloat32(16 + 4 * i, x, false));
  return bytes;
}

function png(w: number, h: number): Uint8Array {
  const p = new PNG({ width: w, height: h });
  p.data.fill(255);
  return PNG.sync.write(p);
}

/** What readInputs refuses with: a UsageError (exit 2) whose message starts with the file. */
async function refusal(path: string): Promise<string> {
  const e = await readInputs(path, [2, 2]).then(() => undefined, (err: unknown) => err);
  expect(e, path).toBeInstanceOf(UsageError);
  const message = (e as Error).message;
  expect(message.startsWith(`${path}: `), message).toBe(true);
  return message;
}

describe('readInputs refuses what it cannot read, naming the file', () => {
  it('reads IDX and PNG inputs it can', async () => {
    expect(await readInputs(file('ok.idx', floatIdx([0, 0.5, 1, 0])), [2, 2])).toEqual([{ name: 'ok.idx', x: new Float32Array([0, 0.5, 1, 0]) }]);
    expect(await readInputs(file('ok.idx.gz', gzipSync(floatIdx([0, 0, 0, 1]))), [2, 2])).toHaveLength(1);
    expect(await readInputs(file('ok.png', png(2, 2)), [2, 2])).toHaveLength(1);
  });

  it('names the file of a bad IDX header', async () => {
    expect(await refusal(file('b.idx', new Uint8Array([1, 2, 3, 4, 5])))).toMatch(/b\.idx: bad magic/);
  });

  it('says a .gz that is not gzip, or a damaged one, is that', async () => {
    expect(await refusal(file('plain.idx.gz', floatIdx([0, 0, 0, 0])))).toMatch(/named \.gz but is not gzip-compressed/);
    expect(await refusal(file('cut.idx.gz', gzipSync(floatIdx([0, 0, 0, 0])).subarray(0, 12)))).toMatch(/gzip data is damaged or cut short/);
  });

  it('does not read text or JPEG files as IDX', async () => {
    expect(await refusal(file('notes.txt', 'hello\n'))).toMatch(/a \.txt file that is neither a PNG image nor an IDX file/);
    expect(await refusal(file('photo.jpg', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16])))).toMatch(/a JPEG image \(convert it to PNG\)/);
  });

  it('says what is wrong with an empty, text or cut-short PNG', async () => {
    expect(await refusal(file('empty.png', ''))).toMatch(/not a readable PNG \(the file is empty\)/);
    expect(await refusal(file('text.png', 'hello, not a picture'))).toMatch(/not a readable PNG \(no PNG signature/);
    const whole = png(28, 28);
    const cut = await refusal(file('cut.png', whole.subarray(0, whole.length - 30)));
    expect(cut).toMatch(/not a readable PNG/);
    expect(cut).not.toMatch(/waitng|read requests/);
  });

  it('refuses a picture too large to decode by its header, before decoding it', async () => {
    const huge = Buffer.from(png(1, 1));
    // IHDR's width and height: the CRC no longer matches, which a decoder would be the first to see.
    huge.writeUInt32BE(16000, 16);
    huge.writeUInt32BE(16000, 20);
    expect(await refusal(file('huge.png', huge))).toMatch(/16000×16000 pixels; predict takes pictures up to 4096 pixels a side/);
  });

  it('refuses values that are not finite numbers', async () => {
    expect(await refusal(file('nan.idx', floatIdx([0, Number.NaN, 0, 0])))).toMatch(/image 0 holds NaN at value 1; inputs must be finite numbers/);
    expect(await refusal(file('inf.idx', floatIdx([0, 0, 0, 0, 0, 0, Infinity, 0])))).toMatch(/image 1 holds Infinity/);
  });
});
