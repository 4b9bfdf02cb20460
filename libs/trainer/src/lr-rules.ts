/**
 * Learning-rate scaling rules for batch-size scaling experiments. A rule turns the rate η tuned at
 * a reference batch B₀ into the rate at the batch B actually trained, with k = B/B₀:
 *
 * - `none`: η at every batch.
 * - `linear`: kη (Goyal et al. 2017, "Accurate, Large Minibatch SGD"), reached by their gradual
 *   warm-up: the rate starts at η and climbs by equal amounts to kη over the warm-up steps.
 * - `sqrt`: √k·η, the square-root rule (variance-preserving; common with Adam), same warm-up.
 * - `adascale`: AdaScale (Johnson et al. 2020) with scale S = k: each step's rate is rₜ·η with the
 *   gain ratio rₜ = (σ² + μ²)/(σ²/S + μ²), where σ² is the variance of a gradient at B₀ and μ² the
 *   squared true gradient. In our terms σ² = tr(Σ)/B₀ and μ² = |G|² (noise-scale.ts), so
 *   rₜ = (tr(Σ)/B₀ + |G|²)/(tr(Σ)/B + |G|²) = (1 + B_simple/B₀)/(1 + B_simple/B), which lies in [1, S]:
 *   close to S while B is well under the noise scale, close to 1 past it. Progress is counted in
 *   scale-invariant iterations τ += rₜ, and any schedule is read at τ rather than at the step, so
 *   a run at scale S follows the base run's schedule in about T/rₜ steps. Before an estimate
 *   exists (first round, or a single shard) rₜ = 1: the conservative choice. AdaScale was derived
 *   for SGD with momentum; with Adam it only sets the step size in the same way.
 *
 * The warm-up of Goyal et al. ramps from the reference rate to the rule's rate (for AdaScale, the
 * gain from 1 to rₜ); with `none` there is nothing to ramp. A schedule from lr-schedule.ts
 * (cosine, step, exponential) then multiplies the result, read at the step and epoch, or for
 * AdaScale at τ: step τ and epoch τ·B₀/N (the base run's), which is why AdaScale needs N there.
 */
import { learningRateAt, type LrSchedule, type ScheduleProgress } from './lr-schedule.ts';

export const LR_RULES = ['none', 'linear', 'sqrt', 'adascale'] as const;
export type LrRule = (typeof LR_RULES)[number];

export class LrRuleError extends Error {
  override name = 'LrRuleError';
}

export function parseLrRule(text: string): LrRule {
  const rule = text.trim();
  if (!(LR_RULES as readonly string[]).includes(rule)) throw new LrRuleError(`unknown lr rule "${text}"; use one of ${LR_RULES.join(', ')}`);
  return rule as LrRule;
}

/** The factor on η of the fixed rules at batch B (after warm-up). */
export function ruleScale(rule: Exclude<LrRule, 'adascale'>, batch: number, baseBatch: number): number {
  const k = batch / baseBatch;
  switch (rule) {
    case 'none':
      return 1;
    case 'linear':
      return k;
    case 'sqrt':
      return Math.sqrt(k);
  }
}

/** The gradient statistics AdaScale needs: tr(Σ) and |G|², per example (noise-scale.ts). */
export interface GradientStatistics {
  trace: number;
  gradSq: number;
}

/**
 * AdaScale's gain rₜ for batch B against B₀, clamped to [1, B/B₀] (the bounds of the exact gain,
 * which noisy estimates can step outside). Without statistics, 1.
 */
export function adaScaleGain(batch: number, baseBatch: number, stats: GradientStatistics | undefined): number {
  const scale = batch / baseBatch;
  if (!stats || scale <= 1) return 1;
  const { trace, gradSq } = stats;
  if (!(trace >= 0) || !Number.isFinite(gradSq)) return 1;
  // |G|² at or below 0: the gradient is all noise, so the variance-reduction bound S applies.
  if (gradSq <= 0) return scale;
  const gain = (trace / baseBatch + gradSq) / (trace / batch + gradSq);
  return Math.min(scale, Math.max(1, gain));
}

export interface LrRuleConfig {
  rule: LrRule;
  /** η: the rate tuned at the reference batch. */
  baseLr: number;
  /** B₀: the batch at which η was tuned. */
  baseBatch: number;
  /** Steps of Goyal et al.'s gradual warm-up. */
  warmupSteps?: number;
  /** A schedule on top (lr-schedule.ts), read at the step (or τ for AdaScale). */
  schedule?: LrSchedule;
  /** Planned steps, for schedules that need the end (cosine). */
  totalSteps?: number;
  /**
   * N, the training rows. AdaScale reads an epoch-based schedule (step, exponential) at the base
   * run's epoch τ·B₀/N, which needs N; the other rules read it at the epoch passed to `next`.
   */
  trainRows?: number;
}

/** One step's rate and what led to it. */
export interface LrRuleStep {
  lr: number;
  /** The factor on η before the schedule: kη's k, √k, AdaScale's rₜ (warm-up applied). */
  gain: number;
  /** Scale-invariant iterations done before this step (τ; equals the step except under AdaScale). */
  progress: number;
}

export function checkLrRuleConfig(c: LrRuleConfig): LrRuleConfig {
  if (!(c.baseLr > 0) || !Number.isFinite(c.baseLr)) throw new LrRuleError(`the reference learning rate must be a positive number, got ${c.baseLr}`);
  if (!Number.isInteger(c.baseBatch) || c.baseBatch < 1) throw new LrRuleError(`the reference batch must be a positive integer, got ${c.baseBatch}`);
  const w = c.warmupSteps ?? 0;
  if (!Number.isInteger(w) || w < 0) throw new LrRuleError(`warm-up must be a whole number of steps >= 0, got ${w}`);
  if (c.trainRows !== undefined && !(Number.isInteger(c.trainRows) && c.trainRows > 0)) throw new LrRuleError(`the training rows must be a positive integer, got ${c.trainRows}`);
  if (c.rule === 'adascale' && readsEpochs(c.schedule) && c.trainRows === undefined) {
    throw new LrRuleError('AdaScale reads an epoch-based schedule at the base run\'s epoch τ·B₀/N: give the training rows N (trainRows)');
  }
  return c;
}

function readsEpochs(s: LrSchedule | undefined): boolean {
  return s?.kind === 'step' || s?.kind === 'exponential';
}

/**
 * Gives the rate of each step in turn under a rule. Call `next` once per step, before it, with the
 * batch it will use and the latest gradient statistics (AdaScale only).
 */
export class LrRuleController {
  private step = 0;
  private tau = 0;

  constructor(readonly config: LrRuleConfig) {
    checkLrRuleConfig(config);
  }

  /** Scale-invariant iterations done so far (τ). */
  get progress(): number {
    return this.tau;
  }

  get steps(): number {
    return this.step;
  }

  next(batch: number, opts: { stats?: GradientStatistics; epoch?: number } = {}): LrRuleStep {
    const { rule, baseLr, baseBatch, schedule } = this.config;
    const warmup = this.config.warmupSteps ?? 0;
    const full = rule === 'adascale' ? adaScaleGain(batch, baseBatch, opts.stats) : ruleScale(rule, batch, baseBatch);
    // Goyal et al.: from η at step 0 up to the full factor at the end of the warm-up, in equal steps.
    const gain = warmup > 0 && this.step < warmup ? 1 + ((full - 1) * this.step) / warmup : full;
    const scheduled = schedule ? learningRateAt(baseLr, schedule, 0, this.scheduleProgress(opts.epoch)) : baseLr;
    const out = { lr: scheduled * gain, gain, progress: this.tau };
    this.step++;
    // AdaScale counts a step as rₜ base steps; the fixed rules count it as one.
    this.tau += rule === 'adascale' ? gain : 1;
    return out;
  }

  /**
   * Where the schedule is read. AdaScale: at τ, in steps and in epochs alike. τ counts base-batch
   * steps, so the base run would have seen τ·B₀ examples by now: τ·B₀/N epochs, not the real epoch.
   */
  private scheduleProgress(epoch: number | undefined): ScheduleProgress {
    const { rule, baseBatch, totalSteps, trainRows } = this.config;
    const adascale = rule === 'adascale';
    return {
      step: Math.floor(adascale ? this.tau : this.step),
      epoch: adascale && trainRows !== undefined ? (this.tau * baseBatch) / trainRows : (epoch ?? 0),
      totalSteps: totalSteps ?? Number.MAX_SAFE_INTEGER,
    };
  }
}
