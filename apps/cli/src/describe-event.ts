import { displayName } from '@shardgrad/protocol';
/** Human wording of coordinator events; null hides an event from people (JSON still has it). */
export function describeEvent(e: Record<string, unknown>): string | null {
  const pct = (v: unknown) => `${(Number(v) * 100).toFixed(1)}%`;
  switch (e.type) {
    case 'listening':
      return `coordinator at ${e.url}${e.publicUrl ? ` (workers elsewhere: ${e.publicUrl})` : ''} — run ${e.runId}, model ${e.model} on ${e.dataset} (${e.parameters} parameters)`;
    case 'worker-joined': {
      const w = e.worker as Record<string, unknown>;
      return `+ worker ${displayName({ id: String(w.id), nickname: w.nickname as string | undefined })} (${w.kind}, ${w.backend})`;
    }
    case 'worker-left':
      return `- worker ${nameOf(e)} left (${e.reason})${e.reassigned ? ', its shard was reassigned' : ''}`;
    case 'rejected':
      return `! refused a submission from ${nameOf(e)}: ${e.message}`;
    case 'worker-refused':
      return `! refused a worker${e.nickname ? ` (${e.nickname})` : ''} from ${e.address}: ${e.message}`;
    case 'waiting':
      return `waiting for workers: ${e.have}/${e.needed}`;
    case 'noise-scale': {
      if (e.available === false) return `noise scale: ${e.reason}`;
      const advice = e.advice as { kind: string; message: string };
      return e.adviceChanged && advice.kind !== 'warming-up' && advice.kind !== 'not-advised' ? `noise scale: ${advice.message}` : null;
    }
    case 'adaptive-batch':
      return `adaptive batch: ${e.from} → ${e.to} (noise scale ${e.bSimple === null ? 'too large to measure' : `≈ ${Math.round(Number(e.bSimple))}`})`;
    case 'round': {
      const step = Number(e.step);
      if (step % 50 !== 0) return null;
      const m = e.metrics as Record<string, number>;
      return `step ${step}  epoch ${Number(e.epoch) + 1}  loss ${Number(e.loss).toFixed(4)}${m.accuracy !== undefined ? `  acc ${pct(m.accuracy)}` : ''}  ${Math.round(Number(e.roundMs))} ms/round`;
    }
    case 'epoch': {
      const m = e.trainMetrics as Record<string, number>;
      return `epoch ${Number(e.epoch) + 1} done: train loss ${Number(e.trainLoss).toFixed(4)}${m.accuracy !== undefined ? `, train acc ${pct(m.accuracy)}` : ''} (${Number(e.seconds).toFixed(1)} s)`;
    }
    case 'evaluation': {
      // The run's summary says it, next to the steps and time.
      if (e.final === true) return null;
      const m = e.metrics as Record<string, number>;
      const split = e.split === 'test-sample' ? testSampleLabel(e) : String(e.split);
      // Custom-step models without a loss (RL): their figures are the metrics, e.g. the mean return.
      if (!Number.isFinite(Number(e.loss)) && Object.keys(m).length > 0) {
        return `${split} at step ${String(e.step)}: ${Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`;
      }
      return `${split} loss ${Number(e.loss).toFixed(4)}${m.accuracy !== undefined ? `, acc ${pct(m.accuracy)}` : ''}`;
    }
    case 'early-stopping':
      return `early stopping at step ${e.step}: no better validation loss for ${e.patience} evaluations (best ${Number(e.bestLoss).toFixed(4)} at step ${e.bestStep})`;
    case 'restored-best':
      return `restored the best weights (step ${e.step}, validation loss ${Number(e.validationLoss).toFixed(4)})`;
    case 'control':
      return `teacher: ${e.message}`;
    case 'checkpoint':
      return `checkpoint at step ${e.step}: ${e.path}`;
    case 'finished':
      return e.reason === 'stopped' ? `stopped at step ${e.step}` : null;
    case 'run-started':
      return `new run ${e.runId}: ${e.model} on ${e.dataset} (${e.parameters} parameters)`;
    case 'classroom':
      return `dashboard: ${e.teacherUrl}\n  (the token after # lets you use the controls; share ${e.dashboardUrl} for a view without them)\nstudents join at: ${e.joinUrl}  (code ${e.joinCode})`;
    // Trust and recovery (trust-options.ts).
    case 'worker-dropped':
      return `! dropped worker ${e.workerId} after ${e.strikes} refused submissions`;
    case 'spot-check':
      return e.ok ? null : `! spot check failed for ${e.workerId}: error ${Number(e.maxError).toExponential(2)} > ${e.tolerance}`;
    case 'round-refused':
      return `round not started (${e.aggregator}, ${e.results} results): ${e.reason}`;
    case 'resumed': {
      const skipped = (e.skipped as { file: string; reason: string }[] | undefined) ?? [];
      const passedOver = skipped.map((s) => `\n  passed over ${s.file}, which cannot be read: ${s.reason}`).join('');
      return `resumed at step ${e.step} (epoch ${e.epoch}, offset ${e.offset}) from ${e.path}${passedOver}`;
    }
    case 'secret-rotated':
      return `rotated the ${e.secret}`;
    default:
      return null;
  }
}

/** The name the dashboard shows for the worker an event is about (displayName's rule). */
function nameOf(e: Record<string, unknown>): string {
  return displayName({ id: String(e.workerId), nickname: typeof e.nickname === 'string' ? e.nickname : undefined });
}

/** The live curve's split in words: the first rows of the test split, or all of a small one. */
function testSampleLabel(e: Record<string, unknown>): string {
  const rows = Number(e.rows);
  if (!Number.isFinite(rows)) return 'test (first 1,000)';
  return rows < Number(e.testRows) ? `test (first ${rows.toLocaleString('en-US')})` : 'test';
}
