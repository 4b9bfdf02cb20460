import { defaultEpochs } from '@shardgrad/models';
import type { Coordinator, CoordinatorEvent } from '@shardgrad/coordinator';
import { describeEvent } from './describe-event.ts';
import type { Output } from './output.ts';
import { createProgress, wantsBars, type Progress } from './progress.ts';
import { figure } from './summary-text.ts';

/** Steps the plan will take, for the bar's total: the step limit, or whole epochs at the current batch. */
export function plannedSteps(c: Coordinator, epochs: number, maxSteps?: number): number {
  const perEpoch = Math.ceil(c.config.dataset.train.n / c.config.batch);
  return Math.min(maxSteps ?? Infinity, epochs * perEpoch);
}

/**
 * Prints a coordinator's events: JSON lines with --json; at a terminal, a progress bar with the
 * other events as lines above it; otherwise plain lines (every 50th round).
 */
export function showTraining(c: Coordinator, out: Output, totalSteps: number): Progress {
  const progress = createProgress({
    enabled: wantsBars(out.json),
    total: totalSteps,
    format: 'training |{bar}| {value}/{total} steps · loss {loss} · {metric} · {speed} samples/s · {workers} workers · ETA {eta_formatted}',
    payload: { loss: '–', metric: 'acc –', speed: '–', workers: 0 },
  });
  let smoothSpeed = 0;
  const onEvent = (e: CoordinatorEvent) => {
    if (!progress.active) return out.event(e as unknown as Record<string, unknown>, describeEvent);
    if (e.type === 'round') {
      const speed = e.samples / Math.max(1e-3, e.roundMs / 1000);
      smoothSpeed = smoothSpeed ? 0.9 * smoothSpeed + 0.1 * speed : speed;
      progress.update(e.step, {
        loss: e.loss.toFixed(4),
        metric: barMetric(e.metrics),
        speed: Math.round(smoothSpeed),
        workers: e.workers,
      });
      return;
    }
    if (e.type === 'run-started') progress.setTotal(totalSteps);
    const text = describeEvent(e as unknown as Record<string, unknown>);
    if (text !== null) progress.line(text);
  };
  c.on('event', onEvent);
  const stop = progress.stop;
  return {
    ...progress,
    stop() {
      c.off('event', onEvent);
      stop();
    },
  };
}

/** The round's headline metric for the bar: the accuracy where there is one, else the model's first (mae, rewardPerFrame, …). */
export function barMetric(metrics: Record<string, number>): string {
  if (metrics.accuracy !== undefined) return `acc ${(metrics.accuracy * 100).toFixed(1)}%`;
  const [name, v] = Object.entries(metrics)[0] ?? [];
  return name === undefined ? 'no metric' : `${name} ${figure(v!)}`;
}

/**
 * Epochs the run plans: the flag's; with only --steps, as many as the steps need (the model's default
 * epochs would end the run first); else the model's default.
 */
export function plannedEpochs(o: { epochs?: number; steps?: number }, c: { config: { def: Parameters<typeof defaultEpochs>[0]; datasetName: string } }): number {
  if (o.epochs !== undefined) return o.epochs;
  if (o.steps !== undefined) return Number.POSITIVE_INFINITY;
  return defaultEpochs(c.config.def, c.config.datasetName);
}
