/** Rounds remembered; the typical one is their median, so a few odd rounds do not move it. */
const WINDOW = 9;

/**
 * How long recent rounds took that finished on time (no shard late, none reassigned): what a
 * round of this run normally takes. Rounds a stalling worker stretched are left out, or each
 * stall would lengthen the next deadline and the one after that.
 */
export class RoundPace {
  private durations: number[] = [];

  record(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    this.durations.push(ms);
    if (this.durations.length > WINDOW) this.durations.shift();
  }

  /** The median of recent on-time rounds, ms; undefined before the first. */
  typicalMs(): number | undefined {
    if (this.durations.length === 0) return undefined;
    const s = [...this.durations].sort((a, b) => a - b);
    return s[s.length >> 1];
  }
}
