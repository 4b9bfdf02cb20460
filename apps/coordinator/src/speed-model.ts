import { ANNOUNCED_SPEED_RANGE, MAX_COMPUTE_MS } from '@shardgrad/protocol';
import { median } from '@shardgrad/trainer';

/** Shards remembered for the per-sample cost; older ones weigh (1 − EMA)^age. */
const WINDOW = 16;
/** A new shard is compared with this many shards before it, no older: the worker may have changed since. */
const PAIR_WITH = 4;
/** Fixed-cost readings kept; the estimate is their median. */
const READINGS = 9;
/** Weight of the newest shard in the per-sample cost: recent shards dominate, one noisy shard does not. */
const EMA = 0.3;
/** Two shards tell the costs apart only if their sizes differ by this part of the larger. */
const MIN_SIZE_CHANGE = 0.3;
/** The fixed cost never takes more than this part of a typical shard's time. */
const MAX_FIXED_PART = 0.8;
/**
 * Bounds of the cost per sample, ms: the speeds a worker may announce, as costs (a billion samples
 * a second at most, one sample in ~11 days at least). Whatever timings it is fed, the model's speed
 * stays finite and positive, so share planning and deadlines always have a number to work with.
 */
export const MS_PER_SAMPLE_RANGE = { min: 1000 / ANNOUNCED_SPEED_RANGE.max, max: 1000 / ANNOUNCED_SPEED_RANGE.min } as const;
const DEFAULT_SAMPLES_PER_SECOND = 1000;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));


/**
 * A worker's compute time as a fixed cost per call plus a cost per sample,
 * t(n) = fixedMs + n · msPerSample. Speed is 1 / msPerSample: what another sample costs. Measured
 * as plain n / t instead, a worker handed small shards would look slow because the fixed cost
 * dominates them, get smaller shards still, and spiral down; and a GPU with a large launch cost
 * would look fast or slow depending on the shard it happened to get.
 *
 * The fixed cost, a property of the device that changes slowly, is read whenever a shard's size
 * differs clearly from the shards just before it (the first rounds, an epoch's short last batch):
 * the lines through it and each of them meet the time axis there. The estimate is the median of
 * recent readings, so neither one shard that a busy machine stretched nor a worker that got slower
 * at the same time as its shards changed size moves it much. The per-sample cost follows recent
 * shards quickly (exponential weights), so a worker that slows down gets a smaller share at once.
 */
export class SpeedModel {
  fixedMs = 0;
  msPerSample: number;
  private measurements = 0;
  private shards: { n: number; ms: number }[] = [];
  private readings: number[] = [];

  constructor(initialSamplesPerSecond: number) {
    const speed = initialSamplesPerSecond > 0 && Number.isFinite(initialSamplesPerSecond) ? initialSamplesPerSecond : DEFAULT_SAMPLES_PER_SECOND;
    this.msPerSample = clamp(1000 / speed, MS_PER_SAMPLE_RANGE.min, MS_PER_SAMPLE_RANGE.max);
  }

  get measured(): boolean {
    return this.measurements > 0;
  }

  /** Samples per second at the margin (another sample's cost). */
  get speed(): number {
    return 1000 / this.msPerSample;
  }

  predictMs(samples: number): number {
    return this.fixedMs + samples * this.msPerSample;
  }

  /** A finished shard: `samples` in `ms` of compute. */
  add(samples: number, ms: number): void {
    if (!(samples > 0) || !Number.isFinite(samples) || !(ms >= 0) || !Number.isFinite(ms)) return;
    // A result may claim no more (its schema's bound): a shard sum of such timings stays far from overflow.
    ms = Math.min(ms, MAX_COMPUTE_MS);
    this.measurements++;
    // A worker's first shard also pays for warming up (JIT, kernel set-up): the second replaces it.
    if (this.measurements === 2) this.shards = [];
    this.readFixed(samples, ms);
    this.shards.push({ n: samples, ms });
    if (this.shards.length > WINDOW) this.shards.shift();
    this.fitPerSample();
  }

  /** A shard still not back after `ms`: its time is at least that, so the model must predict no less. */
  atLeast(samples: number, ms: number): void {
    if (this.predictMs(samples) < ms) this.add(samples, ms);
  }

  private readFixed(n: number, ms: number): void {
    const lines: number[] = [];
    for (const p of this.shards.slice(-PAIR_WITH)) {
      const dn = n - p.n;
      if (Math.abs(dn) < MIN_SIZE_CHANGE * Math.max(n, p.n)) continue;
      const perSample = (ms - p.ms) / dn;
      if (perSample > 0) lines.push(Math.max(0, ms - perSample * n));
    }
    if (lines.length === 0) return;
    this.readings.push(median(lines));
    if (this.readings.length > READINGS) this.readings.shift();
    const typical = median(this.shards.concat({ n, ms }).map((x) => x.ms));
    this.fixedMs = Math.min(median(this.readings), MAX_FIXED_PART * typical);
  }

  private fitPerSample(): void {
    let time = 0;
    let samples = 0;
    let w = 1;
    for (let k = this.shards.length - 1; k >= 0; k--, w *= 1 - EMA) {
      const x = this.shards[k]!;
      time += w * Math.max(0, x.ms - this.fixedMs);
      samples += w * x.n;
    }
    const perSample = time / samples;
    // NaN (no weight left) keeps the last estimate; anything else is held inside the bounds.
    if (!Number.isNaN(perSample)) this.msPerSample = clamp(perSample, MS_PER_SAMPLE_RANGE.min, MS_PER_SAMPLE_RANGE.max);
  }
}
