// Line-oriented append-only files (metrics.jsonl, metrics.csv). Writes are synchronous and
// unbuffered: one logMetrics call is a few hundred bytes once per round, ordering stays trivially
// correct, and a line is in the OS the moment logMetrics returns, even if the process then dies.
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readSync, ftruncateSync, writeSync } from 'node:fs';

/** Writes all of `bytes`; writeSync may legally write less than asked. */
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** fsyncs and closes `fd`, closing it even when the sync fails (a full disk must not leak the fd). */
export function syncAndClose(fd: number): void {
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens `path` for appending, first cutting off a torn last line (one without its newline), which
 * is what a crash in the middle of a write leaves. Without this, the next appended line would be
 * glued onto the fragment and both would be lost to readers. Returns the fd and the byte count.
 */
export function openLineFileForAppend(path: string): { fd: number; size: number } {
  if (!existsSync(path)) return { fd: openSync(path, 'a'), size: 0 };
  // The repair needs a writable, non-append fd; appends then use a fresh 'a' fd so every write
  // lands at the end whatever else touched the file.
  const repairFd = openSync(path, 'r+');
  let size: number;
  try {
    size = fstatSync(repairFd).size;
    const keep = lengthThroughLastNewline(repairFd, size);
    if (keep !== size) {
      ftruncateSync(repairFd, keep);
      fsyncSync(repairFd);
      size = keep;
    }
  } finally {
    closeSync(repairFd);
  }
  return { fd: openSync(path, 'a'), size };
}

// Scans backwards in small chunks so reopening a large metrics file stays cheap.
function lengthThroughLastNewline(fd: number, size: number): number {
  const chunk = Buffer.alloc(4096);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    for (let i = n - 1; i >= 0; i--) if (chunk[i] === 0x0a) return start + i + 1;
    end = start;
  }
  return 0;
}
