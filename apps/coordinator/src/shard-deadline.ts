/** A task may overrun its estimated time by this factor before idle workers take copies of it. */
export const DEADLINE_FACTOR = 1.5;
/** Floor for a deadline: below this, network jitter alone would trigger needless copies. */
export const DEADLINE_FLOOR_MS = 250;
/**
 * A shard is late, whatever its own worker's estimate says, once it has taken this many times what
 * its peers need: a worker that claims to be slow (or is measured so) cannot hold the round longer.
 */
export const DEADLINE_CAP_FACTOR = 4;
/**
 * No shard's deadline is further away than this, with or without peers to compare with. Being late
 * only lets idle workers take copies (the first result still counts), so a tight bound costs at most
 * some duplicate work, while none would let one silent worker hold the run.
 */
export const MAX_DEADLINE_MS = 120_000;

/**
 * How long after sending a shard is late: its predicted time stretched by DEADLINE_FACTOR, capped
 * at DEADLINE_CAP_FACTOR × `referenceMs` (what its peers need, or recent rounds took; undefined when
 * nothing is known yet) and at MAX_DEADLINE_MS, and never below DEADLINE_FLOOR_MS.
 */
export function shardDeadlineMs(predictedMs: number, referenceMs: number | undefined): number {
  const cap = referenceMs !== undefined && referenceMs > 0 ? Math.min(MAX_DEADLINE_MS, DEADLINE_CAP_FACTOR * referenceMs) : MAX_DEADLINE_MS;
  const stretched = predictedMs * DEADLINE_FACTOR;
  return Math.max(DEADLINE_FLOOR_MS, stretched >= 0 ? Math.min(stretched, cap) : cap);
}
