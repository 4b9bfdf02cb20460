import { type Split, deriveSeed, epochOrder, epochOrderOf, splitValidation, takeRows } from '@shardgrad/data';
import type { TrainingDefaults } from '@shardgrad/models';
import { EarlyStopping, type LrSchedule, evaluate, formatLrSchedule, learningRateAt, parseLrSchedule, setLearningRate } from '@shardgrad/trainer';
import type { LrScheduleView } from '@shardgrad/protocol';
import type { Coordinator } from './coordinator.ts';

/** The training options of `shardgrad train` that the coordinator carries out (it owns the optimizer and the data order). */
export interface TrainingOptions {
  /** Applied before every step; absent = the optimizer's rate throughout. */
  lrSchedule?: LrSchedule;
  /** Steps of linear warm-up before the schedule. */
  warmupSteps?: number;
  /** Fraction of the training split held out for validation; workers never see those rows. */
  validationSplit?: number;
  /** Stop after this many validation evaluations without improvement of the validation loss. */
  earlyStoppingPatience?: number;
  /** At the end, put back the weights of the best validation evaluation. */
  restoreBest?: boolean;
  /** Evaluate the validation split every this many steps instead of after each epoch. */
  validateEvery?: number;
}

/** What the options add to a run's summary. */
export interface PolicyOutcome {
  validationLoss?: number;
  validationMetrics?: Record<string, number>;
  /** The step whose weights scored the best validation loss. */
  bestStep?: number;
  bestValidationLoss?: number;
  stoppedEarly?: boolean;
  restoredBest?: boolean;
  lrSchedule?: string;
}

/** Why an option combination cannot run; the CLI shows the message. */
export class TrainingOptionsError extends Error {
  override name = 'TrainingOptionsError';
}

/** The schedule and warm-up of `o` as the dashboard shows them; undefined for a constant rate. */
export function scheduleView(o: Pick<TrainingOptions, 'lrSchedule' | 'warmupSteps'>): LrScheduleView | undefined {
  if (!o.lrSchedule && !o.warmupSteps) return undefined;
  return { ...(o.lrSchedule && { schedule: formatLrSchedule(o.lrSchedule) }), ...(o.warmupSteps && { warmupSteps: o.warmupSteps }) };
}

/** A model's (or a pipeline phase's) defaults, in the string forms of the registry, as options. */
export function trainingOptionsFrom(d: TrainingDefaults): TrainingOptions {
  const o: TrainingOptions = {};
  if (d.lrSchedule !== undefined && d.lrSchedule !== 'constant') o.lrSchedule = parseLrSchedule(d.lrSchedule);
  if (d.warmupSteps !== undefined) o.warmupSteps = d.warmupSteps;
  if (d.validationSplit !== undefined) o.validationSplit = d.validationSplit;
  if (d.earlyStoppingPatience !== undefined) o.earlyStoppingPatience = d.earlyStoppingPatience;
  if (d.restoreBest !== undefined) o.restoreBest = d.restoreBest;
  return o;
}

export function checkTrainingOptions(o: TrainingOptions): TrainingOptions {
  const needsValidation = o.earlyStoppingPatience !== undefined || o.restoreBest || o.validateEvery !== undefined;
  if (needsValidation && o.validationSplit === undefined) {
    throw new TrainingOptionsError('early stopping, restore-best and validate-every need a validation split (e.g. --validation-split 0.1)');
  }
  if (o.warmupSteps !== undefined && !(Number.isInteger(o.warmupSteps) && o.warmupSteps >= 0)) {
    throw new TrainingOptionsError(`warm-up must be a whole number of steps >= 0, got ${o.warmupSteps}`);
  }
  if (o.earlyStoppingPatience !== undefined && !(Number.isInteger(o.earlyStoppingPatience) && o.earlyStoppingPatience >= 1)) {
    throw new TrainingOptionsError(`early-stopping patience must be a whole number >= 1, got ${o.earlyStoppingPatience}`);
  }
  if (o.validationSplit !== undefined && !(o.validationSplit > 0 && o.validationSplit < 1)) {
    throw new TrainingOptionsError(`validation split must be a fraction in (0, 1), got ${o.validationSplit}`);
  }
  return o;
}

/**
 * A validation split against the rows it splits: both sides need a row. The CLI checks it once the
 * data is loaded and before a run directory exists; TrainingPolicy again, for every other caller.
 */
export function checkValidationSplit(o: Pick<TrainingOptions, 'validationSplit'>, trainRows: number): void {
  if (o.validationSplit === undefined) return;
  const k = Math.round(trainRows * o.validationSplit);
  if (k < 1 || k > trainRows - 1) {
    throw new TrainingOptionsError(
      `validation split ${o.validationSplit} of ${trainRows} training rows leaves ${k} for validation and ${trainRows - k} to train; both need at least one`,
    );
  }
}

/**
 * The run's policy around the loop of runTraining: which rows train, the learning rate of each
 * step, the augmentation seed of each epoch, validation, early stopping and the best checkpoint.
 */
export class TrainingPolicy {
  /** Rows of the training split that train (all of them without a validation split). */
  private readonly rows: Uint32Array | undefined;
  private readonly validation: Split | undefined;
  private readonly stopper: EarlyStopping | undefined;
  private readonly totalSteps: number;
  private last: { loss: number; metrics: Record<string, number> } | undefined;
  private bestEval: { loss: number; metrics: Record<string, number> } | undefined;
  private stopped = false;
  private restored = false;

  constructor(
    private readonly c: Coordinator,
    plan: { epochs: number; maxSteps?: number; dropLast?: boolean; options?: TrainingOptions },
    private readonly o: TrainingOptions = checkTrainingOptions(plan.options ?? {}),
  ) {
    const { dataset, seed, batch } = c.config;
    if (o.validationSplit !== undefined) {
      checkValidationSplit(o, dataset.train.n);
      const split = splitValidation(dataset.train.n, o.validationSplit, seed);
      this.rows = split.train;
      this.validation = takeRows(dataset, dataset.train, split.validation);
    }
    if (this.validation) this.stopper = new EarlyStopping(o.earlyStoppingPatience ?? Infinity);
    const perEpoch = Math.max(1, (plan.dropLast ? Math.floor : Math.ceil)(this.trainRows / batch));
    this.totalSteps = Math.min(plan.maxSteps ?? Infinity, plan.epochs * perEpoch);
    c.lrSchedule = scheduleView(o);
  }

  /** How many rows an epoch visits. */
  get trainRows(): number {
    return this.rows?.length ?? this.c.config.dataset.train.n;
  }

  epochOrder(epoch: number): Uint32Array {
    const seed = this.c.config.seed;
    return this.rows ? epochOrderOf(this.rows, seed, epoch) : epochOrder(this.trainRows, seed, epoch);
  }

  /** Sets this step's learning rate; returns what the round's tasks carry (the epoch's augmentation seed). */
  beforeRound(step: number, epoch: number): { augmentSeed: number } {
    if (this.o.lrSchedule || this.o.warmupSteps) {
      // The configured rate, never the optimizer's: after a resume that is the checkpoint's step's,
      // already scheduled, and scheduling it again decayed a cosine run to ~3e-7.
      const lr = learningRateAt(this.c.config.state.baseLearningRate, this.o.lrSchedule ?? { kind: 'constant' }, this.o.warmupSteps ?? 0, {
        step,
        epoch,
        totalSteps: this.totalSteps,
      });
      setLearningRate(this.c.config.state.optimizer, lr);
    }
    return { augmentSeed: deriveSeed(this.c.config.seed, Math.floor(epoch)) };
  }

  /** With `validateEvery`, evaluates every that many steps. */
  afterRound(step: number): 'stop' | 'continue' {
    if (!this.o.validateEvery || step % this.o.validateEvery !== 0) return 'continue';
    return this.validate(step);
  }

  /** Without `validateEvery`, evaluates after each epoch. */
  afterEpoch(_epoch: number, step: number): 'stop' | 'continue' {
    if (this.o.validateEvery) return 'continue';
    return this.validate(step);
  }

  private validate(step: number): 'stop' | 'continue' {
    if (!this.validation || !this.stopper || this.stopped) return 'continue';
    const { state, dataset } = this.c.config;
    const ev = evaluate(state.model, state.def, dataset, this.validation);
    this.last = ev;
    this.c.emit('event', { type: 'evaluation', split: 'validation', step, ...ev });
    const verdict = this.stopper.update(ev.loss, step, this.o.restoreBest ? () => state.weights() : undefined);
    if (verdict.improved) this.bestEval = ev;
    if (!verdict.stop) return 'continue';
    this.stopped = true;
    this.c.emit('event', {
      type: 'early-stopping',
      step,
      bestStep: this.stopper.bestStep,
      bestLoss: this.stopper.best,
      patience: this.stopper.patience,
    });
    return 'stop';
  }

  /** At the end of training: puts the best weights back when asked (before the final test evaluation). */
  finish(): void {
    const best = this.stopper?.bestWeights;
    if (!this.o.restoreBest || !best) return;
    const state = this.c.config.state;
    // A new version, so a worker that asks again gets these weights rather than its cached ones.
    state.setWeights(best, state.version + 1);
    this.restored = true;
    this.c.emit('event', { type: 'restored-best', step: this.stopper!.bestStep, validationLoss: this.stopper!.best });
  }

  outcome(): PolicyOutcome {
    if (!this.stopper) return this.o.lrSchedule ? { lrSchedule: formatLrSchedule(this.o.lrSchedule) } : {};
    const final = this.restored ? this.bestEval : this.last;
    return {
      validationLoss: final?.loss,
      validationMetrics: final?.metrics,
      bestStep: this.stopper.bestStep,
      bestValidationLoss: this.stopper.best,
      stoppedEarly: this.stopped,
      restoredBest: this.restored,
      ...(this.o.lrSchedule ? { lrSchedule: formatLrSchedule(this.o.lrSchedule) } : {}),
    };
  }
}
