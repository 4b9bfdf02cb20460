import type { Coordinator, CoordinatorEvent } from '@shardgrad/coordinator';
import { evaluate, type LrRuleController, setLearningRate } from '@shardgrad/trainer';
import type { NoiseWindow, PointResult } from './point-result.ts';

/** Below this step every step is evaluated; past it, every `EVAL_RESOLUTION` of the steps so far. */
const EVAL_EVERY_STEP_UNTIL = 20;
/** Steps-to-target is then known within 5%: finer than the spread between seeds. */
const EVAL_RESOLUTION = 0.05;

/** The noise scale at the target is read over this last fraction of the steps to it… */
const NOISE_WINDOW_FRACTION = 0.25;
/** …and over at least this many steps. */
const NOISE_WINDOW_MIN_STEPS = 20;

/** Means of the rounds' own estimates over the last quarter (at least 20) of the steps up to `step`. */
export function noiseWindow(rounds: readonly { step: number; trace: number; gradSq: number }[], step: number): NoiseWindow | null {
  const from = step - Math.max(NOISE_WINDOW_MIN_STEPS, Math.ceil(step * NOISE_WINDOW_FRACTION)) + 1;
  const inside = rounds.filter((r) => r.step >= from && r.step <= step);
  if (inside.length === 0) return null;
  const mean = (f: (r: (typeof inside)[number]) => number) => inside.reduce((s, r) => s + f(r), 0) / inside.length;
  return { fromStep: Math.max(1, from), toStep: step, rounds: inside.length, trace: mean((r) => r.trace), gradSq: mean((r) => r.gradSq) };
}

/** The first step at which the target is checked: step n with `--eval-every n`, else step 1. */
export function firstEvalStep(every?: number): number {
  return every ?? 1;
}

/** The steps at which the target is checked: every n-th (n, 2n, 3n, …), or dense early and 5% apart later. */
export function nextEvalStep(step: number, every?: number): number {
  if (every) return (Math.floor(step / every) + 1) * every;
  if (step < EVAL_EVERY_STEP_UNTIL) return step + 1;
  return step + Math.max(1, Math.floor(step * EVAL_RESOLUTION));
}

export interface PointWatchOptions {
  targetAccuracy: number;
  stopAtTarget: boolean;
  evalEvery?: number;
  /** The run's last step: no rate is set past it, and its test evaluation is left to runTraining's final one. */
  maxSteps: number;
  rule: LrRuleController;
  /** Extra rows for the point's run directory (lr, gain, noise scale). */
  log?: (step: number, values: Record<string, number>, tag: string) => void;
}

/**
 * Watches one point's training from the coordinator's events: sets each step's learning rate by
 * the rule (the AdaScale gain reads the live noise statistics), evaluates the test split on a grid
 * of steps to find the first that reaches the target, and then stops the run at the round boundary.
 * Time is training time: the evaluations made here are subtracted, and the clock stops when the
 * training loop does (before runTraining's final evaluation), so the point's seconds and samples/s
 * are the same in run.json, sweep.jsonl, sweep.csv and the report.
 */
export class PointWatch {
  private started = 0;
  private stoppedAt: number | undefined;
  private evalMs = 0;
  private nextEval: number;
  private samples = 0;
  private lr = 0;
  private hit: { step: number; seconds: number; progress: number; window: NoiseWindow | null } | undefined;
  private step = 0;
  /** Every round's own (unsmoothed) estimates. */
  private readonly rounds: { step: number; trace: number; gradSq: number }[] = [];
  private lastNoise: number | null = null;
  readonly noise: PointResult['noiseHistory'] = [];
  readonly accuracy: PointResult['accuracyHistory'] = [];
  private readonly listener = (e: CoordinatorEvent) => this.onEvent(e);

  constructor(
    private readonly c: Coordinator,
    private readonly o: PointWatchOptions,
  ) {
    this.nextEval = firstEvalStep(o.evalEvery);
  }

  /** Sets the first step's rate and starts the clock; call once the workers are in. */
  start(): void {
    this.applyRate();
    this.started = performance.now();
    this.c.on('event', this.listener);
  }

  stop(): void {
    this.c.off('event', this.listener);
  }

  /** Training seconds so far, evaluations excluded. */
  get seconds(): number {
    return ((this.stoppedAt ?? performance.now()) - this.started - this.evalMs) / 1000;
  }

  get result() {
    return { hit: this.hit, lr: this.lr, noiseScale: this.lastNoise, window: this.hit ? this.hit.window : noiseWindow(this.rounds, this.step) };
  }

  private get epoch(): number {
    return this.samples / this.c.config.dataset.train.n;
  }

  private applyRate(): void {
    const step = this.o.rule.next(this.c.config.batch, { stats: this.c.noiseScale.statistics, epoch: this.epoch });
    this.lr = step.lr;
    setLearningRate(this.c.config.state.optimizer, step.lr);
    // rule.steps is now the number of the step about to use this rate: the step its train row will carry.
    this.o.log?.(this.o.rule.steps, { lr: step.lr, gain: step.gain, scale_invariant_steps: step.progress }, 'lr-rule');
  }

  /** Whether the run ends after this step: runTraining then evaluates the test split there itself. */
  private endsAt(step: number): boolean {
    return step >= this.o.maxSteps || (this.hit !== undefined && this.o.stopAtTarget);
  }

  private onEvent(e: CoordinatorEvent): void {
    if (e.type === 'noise-scale' && e.available) {
      this.lastNoise = e.bSimple;
      this.rounds.push({ step: e.step, trace: e.roundTrace, gradSq: e.roundGradSq });
      // The round's own samples are counted at its round event, which follows this one.
      const epoch = (this.samples + e.batch) / this.c.config.dataset.train.n;
      this.noise.push({ step: e.step, epoch, bSimple: e.bSimple, trace: e.trace, gradSq: e.gradSq, batch: e.batch });
      this.o.log?.(e.step, { b_simple: e.bSimple ?? NaN, trace: e.trace, grad_sq: e.gradSq, round_trace: e.roundTrace, round_grad_sq: e.roundGradSq }, 'noise');
      return;
    }
    if (e.type === 'finished') this.stoppedAt ??= performance.now();
    if (e.type !== 'round') return;
    this.samples += e.samples;
    this.step = e.step;
    if (!this.hit && e.step >= this.nextEval) this.check(e.step);
    if (this.hit && this.o.stopAtTarget) this.c.control.stop();
    if (!this.endsAt(e.step)) this.applyRate();
  }

  private check(step: number): void {
    this.nextEval = nextEvalStep(step, this.o.evalEvery);
    const t0 = performance.now();
    const { state, def, dataset } = this.c.config;
    const ev = evaluate(state.model, def, dataset, dataset.test);
    this.evalMs += performance.now() - t0;
    const accuracy = ev.metrics.accuracy ?? NaN;
    this.accuracy.push({ step, accuracy });
    if (accuracy >= this.o.targetAccuracy) {
      // The rule already advanced past this step; τ before the next step is what it has done.
      this.hit = { step, seconds: this.seconds, progress: this.o.rule.progress, window: noiseWindow(this.rounds, step) };
    }
    // At the run's last step runTraining's final evaluation records the same weights: one test row a step.
    if (!this.endsAt(step)) this.c.emit('event', { type: 'evaluation', split: 'test', step, ...ev });
  }
}
