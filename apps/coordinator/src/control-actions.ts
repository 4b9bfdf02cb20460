import { formatRate, type ControlRequest, type RunState } from '@shardgrad/protocol';
import { setLearningRate } from '@shardgrad/trainer';
import type { Coordinator } from './coordinator.ts';
import { prepareRun } from './create-coordinator.ts';

/** A control the run cannot take now (no run directory, no new runs here, a bad model name…). */
export class ControlError extends Error {}


/**
 * Controls of a run that has ended (or is ending). Its settings would change a run that takes no
 * more steps, and a new run starts from its model's defaults, so the teacher gives them with the new run.
 */
function refuseOnEndedRun(req: ControlRequest, state: RunState | undefined): void {
  // Pause, resume, stop and checkpoints of a run that took its last step: each was answered as if it
  // acted ("resumed", "stopping after the current round"), and a checkpoint blamed a missing run directory.
  if (state === 'finished' && (req.action === 'pause' || req.action === 'resume' || req.action === 'stop' || req.action === 'checkpoint')) {
    const done = req.action === 'checkpoint' ? 'its final model is saved with the run' : 'start a new run to train again';
    throw new ControlError(`this run has finished, so there is nothing to ${req.action}: ${done}`);
  }
  if (state === 'stopping' && req.action === 'stop') throw new ControlError('this run is already stopping after the current round');
  if (req.action !== 'set-lr' && req.action !== 'set-batch') return;
  if (state !== 'finished' && state !== 'stopping') return;
  const what = req.action === 'set-lr' ? 'learning rate' : 'batch';
  const ended = state === 'finished' ? 'this run has finished' : 'this run is stopping';
  throw new ControlError(`${ended}, so its ${what} can no longer change: give the ${what} with the new run (new run → ${what} → Start)`);
}

/**
 * Carries out one teacher's control on the coordinator and says what happened, in words for the
 * activity log. Pause and stop act at the next round boundary; learning rate and batch apply to the
 * next round (refused once the run ends: `run.state`, as the dashboard shows it); a checkpoint
 * resolves once it is on disk.
 */
export async function applyControl(c: Coordinator, req: ControlRequest, run: { state?: RunState } = {}): Promise<string> {
  refuseOnEndedRun(req, run.state);
  const ctl = c.control;
  let message: string;
  switch (req.action) {
    case 'pause':
      ctl.pause();
      message = 'paused: the next round waits for resume';
      break;
    case 'resume':
      ctl.resume();
      message = 'resumed';
      break;
    case 'stop':
      ctl.stop();
      message = 'stopping after the current round';
      break;
    case 'checkpoint': {
      if (!ctl.canCheckpoint) throw new ControlError('this coordinator keeps no run directory, so it cannot write checkpoints');
      message = `checkpoint written to ${await ctl.requestCheckpoint()}`;
      break;
    }
    case 'set-lr': {
      // The base rate: a schedule (warm-up, cosine…) scales it from the next step on; without one it
      // is the rate of every step, so the optimizer takes it now.
      const before = c.config.state.baseLearningRate;
      setLearningRate(c.config.state.optimizer, req.learningRate);
      c.config.state.baseLearningRate = req.learningRate;
      message = `base learning rate ${formatRate(before)} → ${formatRate(req.learningRate)}`;
      break;
    }
    case 'set-batch': {
      const n = c.config.dataset.train.n;
      if (req.batch > n) throw new ControlError(`batch ${req.batch} is larger than the training set (${n} samples)`);
      const before = c.config.batch;
      c.config.batch = req.batch;
      message = `batch ${before} → ${req.batch}`;
      break;
    }
    case 'new-run': {
      if (!ctl.newRunsEnabled) throw new ControlError('this coordinator runs one training only; start it with `shardgrad coordinator` for new runs');
      // Built before the current run stops, so a model or dataset that cannot load costs nothing.
      let next;
      try {
        next = await prepareRun({ model: req.model, dataset: req.dataset, batch: req.batch, learningRate: req.learningRate, seed: c.config.seed });
      } catch (e) {
        throw new ControlError((e as Error).message);
      }
      // As set-batch refuses it: rounds would take the whole set while the run's record named this batch.
      const rows = next.dataset.train.n;
      if (next.batch > rows) {
        next.state.dispose();
        throw new ControlError(`batch ${next.batch} is larger than the training set of ${next.datasetName} (${rows} samples)`);
      }
      const superseded = ctl.requestNewRun(next);
      superseded?.state.dispose();
      // What it will train with, so a teacher sees that the batch and rate they gave were taken.
      message =
        `new run: ${next.def.name} on ${next.datasetName}, batch ${next.batch}, learning rate ${formatRate(next.state.baseLearningRate)}, starting after the current round` +
        (superseded ? ` (instead of the ${superseded.def.name} run asked for before it)` : '');
      break;
    }
  }
  c.emit('event', { type: 'control', action: req.action, message, step: c.config.state.version });
  return message;
}
