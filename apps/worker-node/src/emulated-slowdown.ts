/** Shards remembered for the uncontended time per sample. */
const MEMORY = 32;
/** Shards whose sizes differ by less than this part of the larger are compared as alike. */
const SAME_SIZE = 0.3;

/**
 * The `--slowdown` test hook: makes this worker behave like a device `factor` times slower than this
 * core at its best. Each shard is computed for real, then the worker waits until `factor` times the
 * shard's uncontended compute time has passed: the fastest time per sample seen for shards of about
 * this size. Stretching the measured time instead (waiting (factor − 1) × measured) would multiply
 * any slowdown from other processes on the same cores by `factor` as well, and a slow device
 * elsewhere does not share this machine's cores at all.
 */
export class EmulatedSlowdown {
  private readonly seen: { n: number; ms: number }[] = [];

  constructor(readonly factor: number) {
    if (!(factor >= 1) || !Number.isFinite(factor)) throw new RangeError(`slowdown must be a number ≥ 1, got ${factor}`);
  }

  /** The shard's emulated compute time, given that `ms` of real compute went into its `n` samples. */
  emulatedMs(n: number, ms: number): number {
    if (!(n > 0) || !(ms >= 0)) return ms * this.factor;
    this.seen.push({ n, ms });
    if (this.seen.length > MEMORY) this.seen.shift();
    let best = ms / n;
    for (const s of this.seen) {
      if (Math.abs(s.n - n) <= SAME_SIZE * Math.max(s.n, n)) best = Math.min(best, s.ms / s.n);
    }
    return Math.max(ms, this.factor * best * n);
  }
}
