import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAtomicTempFile, writeFileAtomic, writeFileAtomicSync } from './atomic-write.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlog-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('creates and replaces a file, leaving no temp file behind', async () => {
    const target = join(dir, 'run.json');
    await writeFileAtomic(target, '{"a":1}');
    expect(readFileSync(target, 'utf8')).toBe('{"a":1}');
    await writeFileAtomic(target, Uint8Array.from([1, 2, 3]));
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it('survives many concurrent writers to one target: last complete write wins, no temps', async () => {
    const target = join(dir, 'ckpt.bin');
    const payloads = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024, i));
    await Promise.all(payloads.map((p) => writeFileAtomic(target, p)));
    const final = readFileSync(target);
    expect(payloads.some((p) => p.equals(final))).toBe(true);
    expect(readdirSync(dir)).toEqual(['ckpt.bin']);
  });

  it('removes its temp file and keeps the old contents when the rename fails', async () => {
    const target = join(dir, 'occupied');
    // A non-empty directory at the target makes rename(2) fail after the temp file is written.
    mkdirSync(target);
    writeFileSync(join(target, 'inner'), 'old');
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(() => writeFileAtomicSync(target, 'new')).toThrow();
    expect(readdirSync(dir)).toEqual(['occupied']);
    expect(readFileSync(join(target, 'inner'), 'utf8')).toBe('old');
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'x')).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('writeFileAtomicSync', () => {
  it('writes and replaces without leaving temp files', () => {
    const target = join(dir, 'meta.json');
    writeFileAtomicSync(target, 'one');
    writeFileAtomicSync(target, 'two');
    expect(readFileSync(target, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['meta.json']);
  });
});

describe('isAtomicTempFile', () => {
  it('recognises temp names only', () => {
    expect(isAtomicTempFile('.run.json.1234.0a1b2c3d.tmp')).toBe(true);
    expect(isAtomicTempFile('run.json')).toBe(false);
    expect(isAtomicTempFile('.hidden')).toBe(false);
  });
});
