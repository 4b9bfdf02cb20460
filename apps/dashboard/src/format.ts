import { displayName, formatRate } from '@shardgrad/protocol/display';

export { displayName, formatRate };
import type { DashboardRun, LrScheduleView, WorkersWaitedFor } from '@shardgrad/protocol';


/** "cosine, warm-up 50 steps"; empty without a schedule. */
export function describeSchedule(s: LrScheduleView | undefined): string {
  const parts = [];
  if (s?.schedule && s.schedule !== 'constant') parts.push(s.schedule);
  if (s?.warmupSteps) parts.push(`warm-up ${s.warmupSteps} step${s.warmupSteps === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/**
 * The header's rate: this step's, and when a schedule scales it, the base rate and the schedule, so
 * a rate that moves every step is explained: "lr 0.00192 (base 0.002, cosine, warm-up 50 steps)".
 * A server that does not name its schedule still shows that the rate is scheduled.
 */
export function describeLearningRate(run: Pick<DashboardRun, 'learningRate' | 'baseLearningRate' | 'lrSchedule'>): string {
  const now = `lr ${formatRate(run.learningRate)}`;
  const base = run.baseLearningRate;
  const schedule = describeSchedule(run.lrSchedule);
  if (base === undefined) return now;
  if (schedule) return `${now} (base ${formatRate(base)}, ${schedule})`;
  // Compared unrounded: late in a cosine decay the two can round alike and still differ.
  if (base !== run.learningRate) return `${now} (base ${formatRate(base)}, scheduled)`;
  return now;
}

/** "waiting for 1 more worker (2 needed to start)". */
export function describeWaiting(w: WorkersWaitedFor): string {
  const more = w.needed - w.have;
  return `waiting for ${more} more worker${more === 1 ? '' : 's'} (${w.needed} needed to ${w.toStart ? 'start' : 'go on'})`;
}

