import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadCheckpointFor } from '@shardgrad/coordinator';
import { CHECKPOINTS_DIR, readRunInfo } from '@shardgrad/runlog';
import { UsageError } from './output.ts';

/**
 * A resumed run takes its model, data, batch, seed and optimizer from the checkpoint (and writes into
 * its own run directory). A flag that says otherwise was meant, and silently ignoring it would train
 * something other than what the command line reads: refuse it.
 */
export function refuseFlagsTheCheckpointDecides(cmd: Command, o: Record<string, unknown>, opts: { refuseFinishedPlan?: boolean } = {}): void {
  if (!o.resume) return;
  const { checkpoint: ck, runDir } = loadCheckpointFor(o.resume as string);
  const decided: Record<string, unknown> = { model: ck.model, dataset: ck.dataset, batch: ck.batch, seed: ck.seed, optimizer: ck.optimizer.name };
  const given = (key: string) => ['cli', 'env', 'config'].includes(cmd.getOptionValueSource(key) ?? '');
  const conflicts = Object.entries(decided)
    .filter(([key, value]) => given(key) && o[key] !== undefined && o[key] !== value)
    .map(([key, value]) => `--${key} ${String(o[key])} (the checkpoint's: ${String(value)})`);
  // The run directory is the run's own: an --out elsewhere would be silently ignored.
  if (given('out') && typeof o.out === 'string' && resolve(o.out) !== dirname(resolve(runDir))) {
    conflicts.push(`--out ${o.out} (a resumed run writes into its own directory, ${runDir})`);
  }
  if (conflicts.length > 0) {
    throw new UsageError(`--resume goes on with the run's own settings, which these flags contradict: ${conflicts.join(', ')}; drop them, or start a new run without --resume`);
  }
  // A resumed run that stopped writing checkpoints would lose everything past them at its next crash.
  if (!given('checkpointEvery')) o.checkpointEvery = recordedCheckpointEvery(runDir);
  // --steps counts from the run's start, as the run's own plan did. Left out, the run's plan goes on:
  // the length it was started with (run.json), not the model's default epochs.
  const at = ck.position.step;
  if (!given('steps') && !given('epochs')) {
    const planned = recordedPlan(runDir);
    o.steps = planned.steps;
    if (planned.epochs !== undefined) o.epochs = planned.epochs;
    // A server restarted after its run's last checkpoint goes on as before (nothing left to train); a
    // person at a terminal is told, rather than shown a run of zero steps.
    if (opts.refuseFinishedPlan && planned.steps !== undefined && planned.steps <= at) {
      throw new UsageError(`--resume: the run finished its plan of ${planned.steps} steps (it is at step ${at}); give --steps above ${at} to train it further`);
    }
    return;
  }
  // At or below the checkpoint's step nothing would train, yet the run would be evaluated and its
  // model saved again as if it had.
  if (given('steps') && typeof o.steps === 'number' && o.steps <= at) {
    throw new UsageError(`--steps ${o.steps} with --resume: the run is already at step ${at}, and --steps counts from its start; give more than ${at}, or leave --steps out to finish the run's plan`);
  }
}

/**
 * How often the run wrote checkpoints: as run.json records it, or, for a run that did not record it,
 * the greatest common divisor of its checkpoints' steps (a cadence of 20 leaves 20, 40, 60…).
 */
function recordedCheckpointEvery(runDir: string): number | undefined {
  try {
    const every = (readRunInfo<{ hyperparameters?: { checkpointEvery?: unknown } }>(runDir).meta?.hyperparameters as { checkpointEvery?: unknown } | undefined)?.checkpointEvery;
    if (typeof every === 'number' && Number.isInteger(every) && every > 0) return every;
  } catch {
    // No readable run.json: the checkpoints still say.
  }
  const steps = checkpointSteps(runDir);
  if (steps.length === 0) return undefined;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return steps.reduce(gcd);
}

function checkpointSteps(runDir: string): number[] {
  try {
    return readdirSync(join(runDir, CHECKPOINTS_DIR))
      .map((n) => /^step-(\d+)$/.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

/** The length a run was started with, from its run.json (absent in a run.json that has none). */
function recordedPlan(runDir: string): { steps?: number; epochs?: number } {
  try {
    const h = (readRunInfo<{ hyperparameters?: { steps?: unknown; epochs?: unknown } }>(runDir).meta?.hyperparameters ?? {}) as { steps?: unknown; epochs?: unknown };
    const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
    return { steps: count(h.steps), epochs: count(h.epochs) };
  } catch {
    return {};
  }
}
