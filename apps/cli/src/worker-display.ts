import type { Output } from './output.ts';
import { createProgress, wantsBars, type Progress } from './progress.ts';

/** How a worker's own events read to people; shards are counted on the status line, not printed. */
function describeWorkerEvent(e: Record<string, unknown>): string | null {
  switch (e.type) {
    case 'shard':
      return null;
    case 'joined':
      return `joined run ${e.runId}: ${e.model} on ${e.backend}`;
    case 'stopped':
      return `stopped by the coordinator: ${e.reason}`;
    case 'error':
      return `error: ${e.message}`;
    default:
      return JSON.stringify(e);
  }
}

/** The worker's log sink: a live status line at a terminal, plain lines or JSON otherwise. */
export function workerDisplay(out: Output): { log: (e: Record<string, unknown>) => void; progress: Progress } {
  const progress = createProgress({
    enabled: wantsBars(out.json),
    format: 'worker · {shards} shards · {samples} samples · {speed} samples/s · round {round}',
    payload: { shards: 0, samples: 0, speed: '–', round: '–' },
  });
  let shards = 0;
  let samples = 0;
  return {
    progress,
    log(e) {
      if (e.type === 'shard' && progress.active) {
        shards++;
        samples += Number(e.samples) || 0;
        const ms = Number(e.computeMs);
        progress.update(0, { shards, samples, round: String(e.round), speed: ms > 0 ? Math.round((Number(e.samples) / ms) * 1000) : '–' });
        return;
      }
      if (progress.active) {
        const text = describeWorkerEvent(e);
        if (text) progress.line(text);
        return;
      }
      out.event(e, describeWorkerEvent);
    },
  };
}
