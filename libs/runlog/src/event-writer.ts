// Writes TensorBoard event files by hand: no maintained JS package does, and the format is just
// TFRecord-framed protobuf (see tfrecord.ts and event.ts).
import { fsyncSync, openSync, writeSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import {
  encodeFileVersionEvent,
  encodeScalarEvent,
  encodeSessionLogEvent,
  type Scalar,
  type SessionLogEntry,
} from './event.ts';
import { encodeRecord } from './tfrecord.ts';
import { syncAndClose } from './append-file.ts';

export interface EventFileWriterOptions {
  /** Goes into the file name, as TensorFlow does; defaults to os.hostname(). */
  hostname?: string;
  /** Milliseconds since the epoch; injectable so tests get deterministic wall times. */
  clock?: () => number;
}

/** The name TensorBoard globs for (`*tfevents*`); `secs` is whole seconds since the epoch. */
export function eventFileName(secs: number, hostname: string): string {
  return `events.out.tfevents.${secs}.${hostname}`;
}

/**
 * One event file, append-only. Every record is written with a single unbuffered write, so a live
 * TensorBoard sees it at once and a crash can tear at most the last record. Not fsync'd per write:
 * TensorBoard reads from the page cache, and an fsync per step would cost more than the step's
 * logging is worth; {@link flush} and {@link close} fsync.
 */
export class EventFileWriter {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly clock: () => number,
  ) {
    this.fd = fd;
  }

  /**
   * Creates a new event file in `dir` (which must exist) and writes the file_version header.
   * Never appends to an existing file: a resumed run gets its own file, which TensorBoard merges,
   * and the name gets a numeric suffix if a file from the same second already exists.
   */
  static create(dir: string, options: EventFileWriterOptions = {}): EventFileWriter {
    const clock = options.clock ?? Date.now;
    const host = sanitizeHostname(options.hostname ?? osHostname());
    const base = eventFileName(Math.floor(clock() / 1000), host);
    for (let n = 0; ; n++) {
      const path = join(dir, n === 0 ? base : `${base}.${n}`);
      let fd: number;
      try {
        fd = openSync(path, 'wx'); // wx: fail rather than clobber another writer's file
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && n < 1000) continue;
        throw err;
      }
      const writer = new EventFileWriter(path, fd, clock);
      writer.writeRecord(encodeFileVersionEvent(writer.now()));
      return writer;
    }
  }

  /**
   * Appends one Event holding all `scalars` at `step`. Values are stored as float32, which is what
   * TensorBoard's simple_value is; NaN and ±Infinity are kept (a diverging loss should show).
   */
  writeScalars(step: number, scalars: readonly Scalar[] | Readonly<Record<string, number>>, wallTime?: number): void {
    const list: Scalar[] = Array.isArray(scalars)
      ? [...(scalars as readonly Scalar[])]
      : Object.entries(scalars).map(([tag, value]) => ({ tag, value }));
    checkStep(step);
    for (const { tag, value } of list) {
      if (tag.length === 0) throw new Error('TensorBoard scalar tag must not be empty');
      if (typeof value !== 'number') throw new TypeError(`scalar ${tag} is not a number: ${String(value)}`);
    }
    if (list.length === 0) return; // an empty Summary is legal but only clutters the file
    this.writeRecord(encodeScalarEvent(wallTime ?? this.now(), step, list));
  }

  /** Appends a SessionLog event; status START at step s makes TensorBoard drop its data at >= s. */
  writeSessionLog(step: number, log: SessionLogEntry, wallTime?: number): void {
    checkStep(step);
    this.writeRecord(encodeSessionLogEvent(wallTime ?? this.now(), step, log));
  }

  /** Forces written records to disk (data already reached the OS on each write). */
  flush(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  /** fsyncs and closes; idempotent so shutdown paths may call it twice. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    syncAndClose(fd);
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  private now(): number {
    return this.clock() / 1000;
  }

  private writeRecord(data: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`event file ${this.path} is closed`);
    const record = encodeRecord(data);
    // writeSync may write less than asked (rare on regular files, but allowed), hence the loop.
    let written = 0;
    while (written < record.length) {
      written += writeSync(this.fd, record, written, record.length - written);
    }
  }
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new RangeError(`step must be a non-negative safe integer, got ${step}`);
  }
}

// A hostname with a path separator would put the file elsewhere; nothing else is special here.
function sanitizeHostname(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned.length > 0 ? cleaned : 'localhost';
}
