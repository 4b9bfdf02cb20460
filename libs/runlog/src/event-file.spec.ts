import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_FILE_VERSION, SessionStatus, encodeFileVersionEvent } from './event.ts';
import { readEventFile, decodeEventBytes, listEventFiles } from './event-reader.ts';
import { EventFileWriter } from './event-writer.ts';
import { RecordError, encodeRecord, readRecords } from './tfrecord.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlog-events-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fixedClock = (ms: number) => () => ms;

function smallFile(): { path: string; bytes: Buffer } {
  const w = EventFileWriter.create(dir, { clock: fixedClock(1_700_000_000_500), hostname: 'host' });
  w.writeScalars(1, { 'train/loss': 2.5 });
  w.writeScalars(2, [{ tag: 'validation/accuracy', value: 0.75 }]);
  w.close();
  return { path: w.path, bytes: readFileSync(w.path) };
}

describe('EventFileWriter + readEventFile', () => {
  it('names the file events.out.tfevents.<secs>.<host> and starts with file_version', () => {
    const { path, bytes } = smallFile();
    expect(basename(path)).toBe('events.out.tfevents.1700000000.host');
    // Same first 12 bytes as every TensorFlow-written event file: length 24 and its masked CRC.
    expect(bytes.subarray(0, 12).toString('hex')).toBe('1800000000000000a37f4b22');
    const [first] = readEventFile(path);
    expect(first).toEqual({ wallTime: 1_700_000_000.5, step: 0, fileVersion: EVENT_FILE_VERSION, scalars: [] });
  });

  it('round-trips many scalars, steps and wall times (float32 values)', () => {
    let now = 1_700_000_000_000;
    const w = EventFileWriter.create(dir, { clock: () => now, hostname: 'h' });
    const expected: { step: number; wallTime: number; scalars: { tag: string; value: number }[] }[] = [];
    for (let step = 0; step < 500; step++) {
      now += 1234;
      const scalars = [
        { tag: 'train/loss', value: Math.exp(-step / 100) + Math.sin(step) * 1e-3 },
        { tag: 'train/lr', value: 1e-3 * 0.999 ** step },
      ];
      if (step % 50 === 0) scalars.push({ tag: 'validation/accuracy', value: step / 500 });
      w.writeScalars(step * 1000, scalars);
      expected.push({
        step: step * 1000,
        wallTime: now / 1000,
        scalars: scalars.map((s) => ({ tag: s.tag, value: Math.fround(s.value) })),
      });
    }
    w.writeScalars(2 ** 40, { 'train/big-step': -0 });
    w.writeScalars(3, { 'train/nan': NaN, 'train/inf': Infinity, 'train/ninf': -Infinity });
    w.close();

    const events = readEventFile(w.path);
    expect(events).toHaveLength(1 + 500 + 2);
    expect(events.slice(1, 501)).toEqual(expected.map((e) => ({ ...e })));
    expect(events[501]!.step).toBe(2 ** 40);
    expect(events[502]!.scalars.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity]);
  });

  it('writes a SessionLog START that reads back', () => {
    const w = EventFileWriter.create(dir, { clock: fixedClock(0), hostname: 'h' });
    w.writeSessionLog(1200, { status: SessionStatus.Start });
    w.close();
    expect(readEventFile(w.path)[1]).toMatchObject({ step: 1200, sessionLog: { status: SessionStatus.Start } });
  });

  it('makes every record visible to a reader before close (a live TensorBoard)', () => {
    const w = EventFileWriter.create(dir, { hostname: 'h' });
    w.writeScalars(7, { 'train/loss': 1 });
    expect(readEventFile(w.path).at(-1)).toMatchObject({ step: 7, scalars: [{ tag: 'train/loss', value: 1 }] });
    w.close();
    w.close(); // idempotent
    expect(() => w.writeScalars(8, { x: 1 })).toThrow(/closed/);
  });

  it('never clobbers an event file from the same second', () => {
    const a = EventFileWriter.create(dir, { clock: fixedClock(5000), hostname: 'h' });
    const b = EventFileWriter.create(dir, { clock: fixedClock(5000), hostname: 'h' });
    a.close();
    b.close();
    expect(a.path).not.toBe(b.path);
    expect(listEventFiles(dir).map((p) => basename(p))).toEqual([
      'events.out.tfevents.5.h',
      'events.out.tfevents.5.h.1',
    ]);
  });

  it('rejects bad steps and empty tags', () => {
    const w = EventFileWriter.create(dir, { hostname: 'h' });
    expect(() => w.writeScalars(-1, { a: 1 })).toThrow(RangeError);
    expect(() => w.writeScalars(1.5, { a: 1 })).toThrow(RangeError);
    expect(() => w.writeScalars(1, { '': 1 })).toThrow(/empty/);
    w.close();
  });
});

describe('corruption and truncation', () => {
  it('detects a flipped bit in any byte, naming the offset of the broken record', () => {
    const { bytes } = smallFile();
    const offsets = [...readRecords(bytes)].map((r) => r.offset);
    expect(offsets[0]).toBe(0);
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i]! ^= 0x01;
      const recordStart = Math.max(...offsets.filter((o) => o <= i));
      let error: unknown;
      try {
        decodeEventBytes(copy, 'f');
      } catch (err) {
        error = err;
      }
      expect(error, `byte ${i}`).toBeInstanceOf(RecordError);
      // A flipped length can make the record look longer than the file: still this record's fault.
      expect((error as RecordError).offset, `byte ${i}`).toBe(recordStart);
      expect((error as Error).message).toContain(`record at byte offset ${recordStart}`);
      expect((error as Error).message).toMatch(/CRC mismatch|truncated/);
    }
  });

  it('detects truncation at every byte that is not a record boundary', () => {
    const { bytes } = smallFile();
    const boundaries = new Set([...readRecords(bytes)].map((r) => r.offset).concat(bytes.length));
    for (let len = 0; len <= bytes.length; len++) {
      const prefix = bytes.subarray(0, len);
      if (boundaries.has(len)) {
        expect(() => decodeEventBytes(prefix)).not.toThrow();
      } else {
        expect(() => decodeEventBytes(prefix), `length ${len}`).toThrow(/truncated/);
      }
    }
  });

  it('reports the file path and offset when reading a damaged file', () => {
    const { path, bytes } = smallFile();
    const secondRecord = [...readRecords(bytes)][1]!.offset;
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    expect(() => readEventFile(path)).toThrow(`${path}: record at byte offset ${[...readRecords(bytes)][2]!.offset}`);
    const flipped = Buffer.from(bytes);
    flipped[secondRecord + 20]! ^= 0xff;
    writeFileSync(path, flipped);
    expect(() => readEventFile(path)).toThrow(new RegExp(`byte offset ${secondRecord}: data CRC mismatch`));
  });

  it('rejects a record whose CRCs are fine but whose payload is not an Event', () => {
    const bogus = encodeRecord(Uint8Array.from([0x0b, 0x01])); // wire type 3 (group): unsupported
    const bytes = Buffer.concat([encodeRecord(encodeFileVersionEvent(0)), bogus]);
    expect(() => decodeEventBytes(bytes, 'x')).toThrow(/record at byte offset 40: invalid Event payload/);
  });
});
