import { type Coordinator, type TrainingOptions, checkValidationSplit } from '@shardgrad/coordinator';
import { UsageError } from './output.ts';

/**
 * The training options that can only be checked against the loaded data (a validation split that
 * leaves no row on one side), checked before the run directory exists: a refused run leaves no
 * half-made directory that would then count as the newest run. The coordinator, already
 * listening, is closed when one is refused.
 */
export async function checkBeforeRun(c: Coordinator, options: TrainingOptions): Promise<void> {
  try {
    checkValidationSplit(options, c.config.dataset.train.n);
    // Every round would take the whole split while run.json recorded the batch asked for.
    const rows = c.config.dataset.train.n;
    if (c.config.batch > rows) {
      throw new UsageError(`--batch ${c.config.batch} is more than the ${rows} training rows of ${c.config.datasetName}; for full-batch training give --batch ${rows}`);
    }
  } catch (e) {
    await c.close();
    throw e;
  }
}
