// Checkpoint naming inside a run directory. The library only decides *where* a checkpoint goes;
// what is in it (a tfjs model directory, optimizer state…) belongs to the trainer, which should
// write it with writeFileAtomic (or write a directory and rename it) so a crash never leaves a
// half checkpoint under a valid name.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const CHECKPOINTS_DIR = 'checkpoints';

// Zero-padded so `ls` and a lexical sort list checkpoints in step order; 10 digits outlast any run.
const STEP_DIGITS = 10;
const CHECKPOINT_PATTERN = /^step-(\d+)(?:\..*)?$/;

export interface CheckpointEntry {
  step: number;
  /** The entry's full path (file or directory, whichever the trainer wrote). */
  path: string;
}

/** `step-0000001200`; callers may append an extension (`.bin`) or use it as a directory. */
export function checkpointName(step: number): string {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new RangeError(`checkpoint step must be a non-negative safe integer, got ${step}`);
  }
  return `step-${String(step).padStart(STEP_DIGITS, '0')}`;
}

/**
 * Checkpoints present in `runPath`, oldest step first. Names that do not match (including
 * dot-prefixed temp files of an interrupted atomic write) are ignored.
 */
export function listCheckpoints(runPath: string): CheckpointEntry[] {
  const dir = join(runPath, CHECKPOINTS_DIR);
  if (!existsSync(dir)) return [];
  const entries: CheckpointEntry[] = [];
  for (const name of readdirSync(dir)) {
    const match = CHECKPOINT_PATTERN.exec(name);
    if (match) entries.push({ step: Number(match[1]), path: join(dir, name) });
  }
  return entries.sort((a, b) => a.step - b.step || a.path.localeCompare(b.path));
}
