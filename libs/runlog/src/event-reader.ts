// Reads event files back, verifying every CRC. It exists to test the writer against an independent
// decode path and to let tools (sweep summaries, `shardgrad evaluate`) read a run without Python.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent, type DecodedEvent } from './event.ts';
import { readRecords, RecordError } from './tfrecord.ts';

export type { DecodedEvent } from './event.ts';

/**
 * Decodes every event of one file. Throws a {@link RecordError} naming the byte offset of the first
 * record that is truncated or fails either CRC, and an Error with the same offset when a record's
 * payload is not a valid Event.
 */
export function readEventFile(path: string): DecodedEvent[] {
  return decodeEventBytes(readFileSync(path), path);
}

/** {@link readEventFile} over bytes already in memory; `source` only labels errors. */
export function decodeEventBytes(bytes: Uint8Array, source?: string): DecodedEvent[] {
  const events: DecodedEvent[] = [];
  for (const { offset, data } of readRecords(bytes, source)) {
    try {
      events.push(decodeEvent(data));
    } catch (err) {
      throw new RecordError(`invalid Event payload: ${(err as Error).message}`, offset, source);
    }
  }
  return events;
}

/** Event files in `dir`, sorted by name, which is creation order (the name starts with seconds). */
export function listEventFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.includes('tfevents'))
    .sort()
    .map((name) => join(dir, name));
}
