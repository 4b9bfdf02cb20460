import { splitByWeights } from '@shardgrad/data';

export interface ShareCandidate {
  /** Compute throughput, samples per second. */
  speed: number;
  /** Milliseconds before it can start on new work: what it is still busy with (plus any fixed cost the caller counts). */
  latencyMs: number;
  /** Still working on earlier tasks: it reports back on its own, so it need not get a token sample. */
  busy: boolean;
}

/**
 * Speeds and latencies are held inside these bounds before planning: beyond them the sums below
 * overflow (a speed of 1e308 times a latency) or underflow, and one worker's numbers would break
 * every worker's plan.
 */
const SPEED_RANGE = { min: 1e-9, max: 1e12 } as const;
const MAX_LATENCY_MS = 1e12;

export interface PlanOptions {
  /**
   * Give every idle worker left out at least one sample this time, so that an estimate that left it
   * out can be corrected. Each such sample costs the round that worker's latency, so not every round.
   */
  probe?: boolean;
}

/**
 * Splits `total` samples so that every worker should finish at the same moment T:
 * latencyᵢ + nᵢ / speedᵢ = T, i.e. nᵢ = speedᵢ · (T − latencyᵢ). With equal latencies this is
 * exactly the split in proportion to speed; a worker with a longer latency gets correspondingly less.
 * A worker whose latency alone exceeds T is left out (water-filling): any sample given to it would
 * make the round wait for it. Left-out idle workers get one sample when `probe` is set.
 *
 * It never throws for a candidate's numbers: a speed that is not a positive number leaves that
 * candidate out (all of them out: equal shares), and extreme values are held to sane bounds.
 */
export function planShares(total: number, raw: readonly ShareCandidate[], o: PlanOptions = {}): number[] {
  if (raw.length === 0) return [];
  if (total === 0) return raw.map(() => 0);
  const usable = raw.map((c) => c.speed > 0 && !Number.isNaN(c.latencyMs));
  if (!usable.some(Boolean)) return splitByWeights(total, raw.map(() => 1));
  const candidates = raw.map((c, i) =>
    usable[i]
      ? { ...c, speed: clamp(c.speed, SPEED_RANGE.min, SPEED_RANGE.max), latencyMs: clamp(c.latencyMs, 0, MAX_LATENCY_MS) }
      : // Never active, never probed: it gets nothing this round.
        { ...c, speed: SPEED_RANGE.min, latencyMs: MAX_LATENCY_MS, busy: true },
  );
  const byLatency = candidates.map((_, i) => i).sort((a, b) => candidates[a]!.latencyMs - candidates[b]!.latencyMs || Number(usable[b]) - Number(usable[a]));
  let active = usable.filter(Boolean).length;
  let finish = 0;
  for (; active > 0; active--) {
    let speeds = 0;
    let weighted = 0;
    for (const i of byLatency.slice(0, active)) {
      speeds += candidates[i]!.speed;
      weighted += (candidates[i]!.speed * candidates[i]!.latencyMs) / 1000;
    }
    finish = (total + weighted) / speeds;
    // The last worker in latency order is the first to have nothing useful left to do in time.
    if (candidates[byLatency[active - 1]!]!.latencyMs / 1000 < finish) break;
  }
  const weights = candidates.map(() => 0);
  byLatency.forEach((i, rank) => {
    const c = candidates[i]!;
    if (rank < active) weights[i] = Math.max(0, c.speed * (finish - c.latencyMs / 1000));
  });
  // Rounding at the bounds can leave nobody with a positive weight: the first to be free takes it all.
  if (!weights.some((w) => w > 0)) weights[byLatency[0]!] = 1;
  if (o.probe) {
    // A token weight: splitByWeights gives every positive weight at least one sample when it can.
    const token = Math.min(...weights.filter((w) => w > 0)) * 1e-9;
    byLatency.forEach((i, rank) => {
      if (rank >= active && !candidates[i]!.busy) weights[i] = token;
    });
  }
  return splitByWeights(total, weights);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
