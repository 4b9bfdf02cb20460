import type { Coordinator } from './coordinator.ts';
import { RunRecorder, type RunRecorderOptions } from './run-recorder.ts';
import { runTraining, type TrainingPlan, type TrainingSummary } from './run-training.ts';

export interface SessionOptions {
  /** The plan of each run; called again for every new run, since epochs follow the model. */
  plan: (c: Coordinator) => TrainingPlan;
  /** Keep runs/<id>/ for each run (default), or not. */
  record?: RunRecorderOptions | false;
  /** Allow the teacher's "new run" (the coordinator command); `train` runs once. */
  allowNewRuns?: boolean;
  /** After a run ends, keep serving and wait for the teacher's next run instead of returning… */
  keepAlive?: boolean;
  /** …until this settles (a signal to quit). */
  until?: Promise<unknown>;
  /** Called after each run, with the directory of its final model when it was recorded. */
  onRunEnd?: (summary: TrainingSummary, modelDir: string | undefined) => void | Promise<void>;
}

/**
 * Runs training on `c` until it ends, recording each run, and then, when the teacher asked for a new
 * run meanwhile, starts it on the same server (same URL, same QR code) and goes on.
 */
export async function runSession(c: Coordinator, opts: SessionOptions): Promise<TrainingSummary[]> {
  c.control.newRunsEnabled = opts.allowNewRuns ?? false;
  const summaries: TrainingSummary[] = [];
  try {
    for (;;) {
      const recorder = opts.record === false ? undefined : new RunRecorder(c, opts.record);
      let summary: TrainingSummary;
      try {
        summary = await runTraining(c, opts.plan(c));
      } catch (e) {
        recorder?.close();
        throw e;
      }
      const modelDir = await recorder?.finish(summary);
      summaries.push(summary);
      await opts.onRunEnd?.(summary, modelDir);
      const next = c.control.takeNewRun() ?? (opts.keepAlive && opts.allowNewRuns ? await Promise.race([c.control.waitForNewRun(), (opts.until ?? new Promise(() => undefined)).then(() => undefined)]) : undefined);
      if (!next) return summaries;
      c.replaceRun(next);
      c.emit('event', { type: 'run-started', runId: c.runId, model: next.def.name, dataset: next.datasetName, parameters: next.state.parameterCount });
    }
  } finally {
    c.control.newRunsEnabled = false;
  }
}
