import { type Coordinator, type TrainingOptions, checkValidationSplit } from '@shardgrad/coordinator';

/**
 * The training options that can only be checked against the loaded data (a validation split that
 * leaves no row on one side), checked before the run directory exists: a refused run leaves no
 * half-made directory that would then count as the newest run. The coordinator, already
 * listening, is closed when one is refused.
 */
export async function checkBeforeRun(c: Coordinator, options: TrainingOptions): Promise<void> {
  try {
    checkValidationSplit(options, c.config.dataset.train.n);
  } catch (e) {
    await c.close();
    throw e;
  }
}
