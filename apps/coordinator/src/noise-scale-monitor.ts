import { NoiseScaleEstimator, type NoiseScaleEstimate, type WeightedGradients } from '@shardgrad/trainer';
import type { Coordinator } from './coordinator.ts';

/**
 * The live gradient noise scale of a run, as the `noise-scale` event (after every round with two
 * or more shards) and as `noiseScale` in `GET /api/status`. Estimator: @shardgrad/trainer's
 * noise-scale.ts (B_simple = tr(Σ)/|G|², unequal shard sizes, smoothed over rounds).
 */
export type NoiseScaleEvent =
  | {
      type: 'noise-scale';
      step: number;
      available: true;
      /** The global batch of the round. */
      batch: number;
      shards: number;
      /** B_simple (smoothed), in examples; null while the smoothed |G|² is not positive. */
      bSimple: number | null;
      /** tr(Σ) and |G|², smoothed (per example). */
      trace: number;
      gradSq: number;
      /** This round's own (unsmoothed) estimates. */
      roundTrace: number;
      roundGradSq: number;
      rounds: number;
      /** batch / B_simple: above 1 the batch is past the critical batch. */
      batchOverNoise: number | null;
      advice: NoiseAdvice;
      /**
       * True when the advice changed and has held for ADVICE_AFTER_ROUNDS rounds (people are told
       * only then, so a batch right at a threshold does not flap between two messages).
       */
      adviceChanged: boolean;
    }
  | { type: 'noise-scale'; step: number; available: false; reason: string };

export interface NoiseAdvice {
  kind: 'warming-up' | 'under' | 'near' | 'past' | 'not-advised';
  message: string;
}

/**
 * The critical batch is a property of a mean of independent per-example gradients. A custom step's
 * result is not one: a GAN's paired D/G gradient, an episode's timesteps, negative sampling's pairs.
 * Its figures are still measured and logged, but advice on them would be nonsense (a GAN's batch
 * "2,386× past a critical batch of 0").
 */
const NOT_ADVISED: NoiseAdvice = { kind: 'not-advised', message: "this model's step is not a mean of independent per-example gradients: no batch-size advice" };

/** Rounds of smoothing before the estimate is trusted enough to advise on. */
export const ADVICE_AFTER_ROUNDS = 10;
/**
 * A new advice must also hold this long before it is announced: at batch 32 a round takes ~20 ms,
 * so 10 rounds were a fifth of a second, and advice that flip-flopped wrote 20 lines in 18 s.
 */
export const ADVICE_HOLD_MS = 15_000;
/** The batch counts as past (or under) the critical batch beyond this factor either way. */
const ADVICE_FACTOR = 2;

export function noiseAdvice(batch: number, bSimple: number | null, rounds: number): NoiseAdvice {
  if (rounds < ADVICE_AFTER_ROUNDS) return { kind: 'warming-up', message: `measuring the gradient noise scale (${rounds}/${ADVICE_AFTER_ROUNDS} rounds)` };
  if (bSimple === null) {
    return { kind: 'under', message: `the gradient is still mostly noise (noise scale too large to measure): a bigger global batch than ${batch} would train faster` };
  }
  const ratio = batch / bSimple;
  const critical = Math.round(bSimple);
  if (ratio >= ADVICE_FACTOR) {
    return {
      kind: 'past',
      message: `the global batch (${batch}) is ${ratio.toFixed(1)}× past the critical batch (≈${critical}): more workers won't train faster; a smaller batch would need almost as few steps`,
    };
  }
  if (ratio <= 1 / ADVICE_FACTOR) {
    return {
      kind: 'under',
      message: `the global batch (${batch}) is ${(1 / ratio).toFixed(1)}× under the critical batch (≈${critical}): a bigger batch (more workers) would cut the steps almost in proportion`,
    };
  }
  return { kind: 'near', message: `the global batch (${batch}) is near the critical batch (≈${critical})` };
}

export class NoiseScaleMonitor {
  private estimator = new NoiseScaleEstimator();
  private runId: string | undefined;
  /** The advice last announced, and the one that has held for `held` rounds since. */
  private announced: NoiseAdvice['kind'] | undefined;
  private current: NoiseAdvice['kind'] | undefined;
  private held = 0;
  private heldSince = 0;
  private toldUnavailable = false;
  /** The last event, for /api/status. */
  latest: NoiseScaleEvent | undefined;

  constructor(
    private readonly c: Coordinator,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Called by the training loop with each round's shard results, before the optimizer applies the
   * step. `mean`: the round's plain shard-weighted mean where it was computed anyway, which spares a pass.
   */
  observe(step: number, parts: readonly WeightedGradients[], mean?: readonly Float32Array[]): void {
    const { state, dataset } = this.c.config;
    if (this.runId !== this.c.runId) this.reset();
    const batch = parts.reduce((s, p) => s + p.count, 0);
    let est: NoiseScaleEstimate | undefined;
    try {
      est = this.estimator.observe(parts, { trainableCount: state.trainableCount, populationSize: dataset.train.n, mean });
    } catch (e) {
      return this.unavailable(step, `cannot estimate: ${(e as Error).message}`);
    }
    if (!est) return this.unavailable(step, 'one shard this round: the noise scale needs two or more shards (workers) per round');
    const advice = this.c.config.def.customStep ? NOT_ADVISED : noiseAdvice(batch, est.bSimple, est.rounds);
    const now = this.now();
    if (advice.kind !== this.current) this.heldSince = now;
    this.held = advice.kind === this.current ? this.held + 1 : 1;
    this.current = advice.kind;
    // The first advice after warming up is news at once; a change of advice must hold first.
    const settled = this.announced === undefined || this.announced === 'warming-up' || (this.held >= ADVICE_AFTER_ROUNDS && now - this.heldSince >= ADVICE_HOLD_MS);
    const changed = advice.kind !== this.announced && settled;
    if (changed) this.announced = advice.kind;
    const e: NoiseScaleEvent = {
      type: 'noise-scale',
      step,
      available: true,
      batch,
      shards: est.last.shards,
      bSimple: est.bSimple,
      trace: est.trace,
      gradSq: est.gradSq,
      roundTrace: est.last.trace,
      roundGradSq: est.last.gradSq,
      rounds: est.rounds,
      batchOverNoise: est.bSimple === null ? null : batch / est.bSimple,
      advice,
      adviceChanged: changed,
    };
    this.latest = e;
    this.c.emit('event', e);
  }

  /** The smoothed statistics, for AdaScale. */
  get statistics(): { trace: number; gradSq: number } | undefined {
    const e = this.runId === this.c.runId ? this.estimator.estimate : undefined;
    return e && { trace: e.trace, gradSq: e.gradSq };
  }

  private unavailable(step: number, reason: string): void {
    const e: NoiseScaleEvent = { type: 'noise-scale', step, available: false, reason };
    if (!this.latest?.available) this.latest = e;
    // Once is enough: a one-worker run would repeat this every round.
    if (this.toldUnavailable) return;
    this.toldUnavailable = true;
    this.c.emit('event', e);
  }

  private reset(): void {
    this.runId = this.c.runId;
    this.estimator.reset();
    this.latest = undefined;
    this.announced = this.current = undefined;
    this.held = 0;
    this.toldUnavailable = false;
  }
}
