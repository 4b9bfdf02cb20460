import type { Output } from './output.ts';
import { createProgress, wantsBars, type Progress } from './progress.ts';

/** How a worker's own events read to people; shards are counted on the status line, not printed. */
export function describeWorkerEvent(e: Record<string, unknown>): string | null {
  switch (e.type) {
    case 'shard':
      return null;
    case 'waiting':
      return `waiting up to ${e.seconds} s for the coordinator at ${e.url} (${e.message})`;
    case 'joined':
      return `joined run ${e.runId}: ${e.model} on ${e.backend}`;
    case 'disconnected':
      return `lost the connection (${e.reason}); reconnecting${Number(e.pending) > 0 ? `, ${e.pending} results to resend` : ''}`;
    case 'resumed':
      return e.rejoined
        ? `back in run ${e.runId}: the restarted coordinator continues it; this worker joined afresh`
        : `resumed as the same worker in run ${e.runId}${Number(e.resent) > 0 ? `, resent ${e.resent} results` : ''}`;
    case 'rejoined':
      return `joined run ${e.runId}, a new run: the coordinator restarted without this worker's run`;
    case 'new-run':
      return 'the coordinator started a new run; rejoining for it';
    case 'result-refused':
      return `result for round ${e.round} refused (${e.reason}): ${e.message}`;
    case 'stopped':
      return `stopped by the coordinator: ${e.reason}`;
    case 'error':
      return `error: ${e.message}`;
    default:
      // An event this list does not know yet still reads as words, not as JSON.
      return `${String(e.type)}${typeof e.message === 'string' ? `: ${e.message}` : ''}`;
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
