import type { Command } from 'commander';
import { loadCheckpointFor } from '@shardgrad/coordinator';
import { UsageError } from './output.ts';

/**
 * A resumed run takes its model, data, batch, seed and optimizer from the checkpoint (and writes into
 * its own run directory). A flag that says otherwise was meant, and silently ignoring it would train
 * something other than what the command line reads: refuse it.
 */
export function refuseFlagsTheCheckpointDecides(cmd: Command, o: Record<string, unknown>): void {
  if (!o.resume) return;
  const { checkpoint: ck } = loadCheckpointFor(o.resume as string);
  const decided: Record<string, unknown> = { model: ck.model, dataset: ck.dataset, batch: ck.batch, seed: ck.seed, optimizer: ck.optimizer.name };
  const given = (key: string) => ['cli', 'env', 'config'].includes(cmd.getOptionValueSource(key) ?? '');
  const conflicts = Object.entries(decided)
    .filter(([key, value]) => given(key) && o[key] !== undefined && o[key] !== value)
    .map(([key, value]) => `--${key} ${String(o[key])} (the checkpoint's: ${String(value)})`);
  if (conflicts.length > 0) {
    throw new UsageError(`--resume goes on with the run's own settings, which these flags contradict: ${conflicts.join(', ')}; drop them, or start a new run without --resume`);
  }
}
