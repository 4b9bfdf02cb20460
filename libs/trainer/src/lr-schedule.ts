/**
 * Learning-rate schedules, applied by the coordinator (which owns the optimizer) before each step.
 * The CLI form: `constant`, `step:<k>:<gamma>` (× gamma every k epochs), `cosine` (half a cosine
 * from the base rate down to ~0 over the run) or `exponential:<rate>` (× rate per epoch, smoothly),
 * each optionally after a linear warm-up of some steps.
 */
export type LrSchedule =
  | { kind: 'constant' }
  | { kind: 'step'; everyEpochs: number; gamma: number }
  | { kind: 'cosine' }
  | { kind: 'exponential'; rate: number };

export class LrScheduleError extends Error {
  override name = 'LrScheduleError';
}

const FORMS = 'constant, step:<epochs>:<gamma>, cosine or exponential:<rate>';

/** Where training stands, as the schedule needs it. `epoch` is fractional: 1.5 is halfway through the second epoch. */
export interface ScheduleProgress {
  step: number;
  epoch: number;
  totalSteps: number;
}

/** The learning rate never reaches 0: optimizers refuse it and a zero step wastes a round. */
const MIN_FACTOR = 1e-4;

export function parseLrSchedule(text: string): LrSchedule {
  const [kind, ...args] = text.trim().split(':');
  const nums = args.map((a) => (a.trim() === '' ? NaN : Number(a)));
  const arity = (n: number) => {
    if (args.length !== n) throw new LrScheduleError(`lr schedule "${text}": ${kind} takes ${n} parameter${n === 1 ? '' : 's'}; forms: ${FORMS}`);
  };
  switch (kind) {
    case 'constant':
    case 'cosine':
      arity(0);
      return { kind };
    case 'step': {
      arity(2);
      const [k, gamma] = nums as [number, number];
      if (!Number.isInteger(k) || k < 1) throw new LrScheduleError(`lr schedule "${text}": the step interval must be a whole number of epochs >= 1`);
      if (!(gamma > 0 && gamma <= 1)) throw new LrScheduleError(`lr schedule "${text}": gamma must be in (0, 1]`);
      return { kind, everyEpochs: k, gamma };
    }
    case 'exponential': {
      arity(1);
      const rate = nums[0]!;
      if (!(rate > 0 && rate <= 1)) throw new LrScheduleError(`lr schedule "${text}": the rate per epoch must be in (0, 1]`);
      return { kind, rate };
    }
    default:
      throw new LrScheduleError(`unknown lr schedule "${text}"; forms: ${FORMS}`);
  }
}

export function formatLrSchedule(s: LrSchedule): string {
  switch (s.kind) {
    case 'step':
      return `step:${s.everyEpochs}:${s.gamma}`;
    case 'exponential':
      return `exponential:${s.rate}`;
    default:
      return s.kind;
  }
}

/** The rate for `progress.step`: warm-up first (linear from base/warmup to base), then the schedule. */
export function learningRateAt(base: number, schedule: LrSchedule, warmupSteps: number, p: ScheduleProgress): number {
  if (warmupSteps > 0 && p.step < warmupSteps) return (base * (p.step + 1)) / warmupSteps;
  let factor = 1;
  switch (schedule.kind) {
    case 'step':
      factor = schedule.gamma ** Math.floor(p.epoch / schedule.everyEpochs);
      break;
    case 'exponential':
      factor = schedule.rate ** p.epoch;
      break;
    case 'cosine': {
      const span = Math.max(1, p.totalSteps - warmupSteps);
      const t = Math.min(1, Math.max(0, p.step - warmupSteps) / span);
      factor = 0.5 * (1 + Math.cos(Math.PI * t));
      break;
    }
  }
  return base * Math.max(MIN_FACTOR, factor);
}
