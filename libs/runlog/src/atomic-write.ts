// Crash-safe whole-file replacement: readers see either the old file or the new one, never a
// half-written run.json or checkpoint. rename(2) within one directory is atomic on POSIX file
// systems, which is why the temp file lives next to the target and not in os.tmpdir().
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export type AtomicData = string | Uint8Array;

// Dot-prefixed so directory listings and globs (`checkpoints/*`) skip leftovers from a crash;
// pid + random so concurrent writers of the same target never share a temp file.
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** True for names {@link writeFileAtomic} uses for temp files, so cleanup code can recognise them. */
export function isAtomicTempFile(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(name);
}

function toBytes(data: AtomicData): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/**
 * Writes `data` to `path` atomically: temp file in the same directory, fsync, rename over the
 * target, then fsync the directory so the rename itself survives a power loss. The temp file is
 * removed if anything fails.
 */
export async function writeFileAtomic(path: string, data: AtomicData): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(toBytes(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDirectory(dirname(path));
}

/** Synchronous twin of {@link writeFileAtomic}, for small files written from sync code paths. */
export function writeFileAtomicSync(path: string, data: AtomicData): void {
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      const bytes = toBytes(data);
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDirectorySync(dirname(path));
}

// Directory fsync is what makes the rename durable on ext4/xfs. Some platforms (Windows) and file
// systems refuse to open or fsync a directory; the file contents are already safe, so those
// errors are ignored rather than failing a write that did happen.
async function fsyncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort, see above */
  }
}

function fsyncDirectorySync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort, see above */
  }
}
