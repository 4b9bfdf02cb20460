import { splitByWeights } from '@shardgrad/data';

export interface ShareCandidate {
  /** Compute throughput, samples per second. */
  speed: number;
  /** Milliseconds before it can start on new work: what it is still busy with (plus any fixed cost the caller counts). */
  latencyMs: number;
  /** Still working on earlier tasks: it reports back on its own, so it need not get a token sample. */
  busy: boolean;
}

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
 */
export function planShares(total: number, candidates: readonly ShareCandidate[], o: PlanOptions = {}): number[] {
  if (candidates.length === 0) return [];
  if (total === 0) return candidates.map(() => 0);
  candidates.forEach((c, i) => {
    if (!(c.speed > 0) || !Number.isFinite(c.speed)) throw new RangeError(`planShares: candidate ${i} has speed ${c.speed}`);
    if (!(c.latencyMs >= 0) || !Number.isFinite(c.latencyMs)) throw new RangeError(`planShares: candidate ${i} has latency ${c.latencyMs}`);
  });
  const byLatency = candidates.map((_, i) => i).sort((a, b) => candidates[a]!.latencyMs - candidates[b]!.latencyMs);
  let active = byLatency.length;
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
    if (rank < active) weights[i] = c.speed * (finish - c.latencyMs / 1000);
  });
  if (o.probe) {
    // A token weight: splitByWeights gives every positive weight at least one sample when it can.
    const token = Math.min(...weights.filter((w) => w > 0)) * 1e-9;
    byLatency.forEach((i, rank) => {
      if (rank >= active && !candidates[i]!.busy) weights[i] = token;
    });
  }
  return splitByWeights(total, weights);
}
