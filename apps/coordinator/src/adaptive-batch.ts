import type { Coordinator } from './coordinator.ts';
import type { CoordinatorEvent } from './events.ts';
import { ADVICE_AFTER_ROUNDS } from './noise-scale-monitor.ts';
import { TrainingOptionsError } from './training-policy.ts';

/**
 * `--adaptive-batch`: grows the global batch towards the measured critical batch (the gradient
 * noise scale), between rounds, in bounded steps. Below the noise scale a bigger batch cuts the
 * steps almost in proportion; past it, it only costs compute, so the batch never grows beyond it.
 * The batch never shrinks: the noise scale grows as training goes on (McCandlish et al. 2018).
 */
export interface AdaptiveBatchOptions {
  /** Never grow past this (and never past the training set). */
  maxBatch: number;
  /** At most one growth per this many steps, so the smoothed estimate catches up between changes. */
  everySteps?: number;
  /** Each growth at most multiplies the batch by this. */
  factor?: number;
}

export const ADAPTIVE_BATCH_DEFAULTS = { everySteps: 50, factor: 2 } as const;

/**
 * The next batch given the smoothed B_simple (null = the gradient is still all noise: grow), or
 * the current one when it should stay.
 */
export function nextAdaptiveBatch(current: number, bSimple: number | null, o: Required<AdaptiveBatchOptions>): number {
  const target = Math.min(o.maxBatch, bSimple === null ? Infinity : Math.floor(bSimple));
  if (!(target > current)) return current;
  return Math.max(current, Math.min(target, Math.floor(current * o.factor)));
}

export function checkAdaptiveBatchOptions(o: AdaptiveBatchOptions): Required<AdaptiveBatchOptions> {
  const full = { ...ADAPTIVE_BATCH_DEFAULTS, ...o };
  if (!Number.isInteger(full.maxBatch) || full.maxBatch < 1) throw new TrainingOptionsError(`the adaptive batch's maximum must be a positive integer, got ${full.maxBatch}`);
  if (!Number.isInteger(full.everySteps) || full.everySteps < 1) throw new TrainingOptionsError(`the adaptive batch's interval must be a positive whole number of steps, got ${full.everySteps}`);
  if (!(full.factor > 1) || !Number.isFinite(full.factor)) throw new TrainingOptionsError(`the adaptive batch's growth factor must be > 1, got ${full.factor}`);
  return full;
}

/** Listens to the noise-scale events of `c` and sets `c.config.batch` (read by the loop each round). Returns a detach. */
export function attachAdaptiveBatch(c: Coordinator, opts: AdaptiveBatchOptions): () => void {
  const o = checkAdaptiveBatchOptions(opts);
  // The batch only ever grows: a maximum below where it starts could do nothing (`--adaptive-batch 10`).
  if (o.maxBatch < c.config.batch) throw new TrainingOptionsError(`--adaptive-batch ${o.maxBatch} is below the starting batch ${c.config.batch}: the batch only grows, up to that maximum`);
  let lastChange = 0;
  const listener = (e: CoordinatorEvent) => {
    if (e.type !== 'noise-scale' || !e.available || e.rounds < ADVICE_AFTER_ROUNDS) return;
    if (e.step - lastChange < o.everySteps) return;
    const from = c.config.batch;
    const to = nextAdaptiveBatch(from, e.bSimple, { ...o, maxBatch: Math.min(o.maxBatch, c.config.dataset.train.n) });
    if (to === from) return;
    lastChange = e.step;
    c.config.batch = to;
    c.emit('event', { type: 'adaptive-batch', step: e.step, from, to, bSimple: e.bSimple });
  };
  c.on('event', listener);
  return () => c.off('event', listener);
}
