import { type Command, InvalidArgumentError } from 'commander';
import { AGGREGATOR_NAMES } from '@shardgrad/trainer';
import { ClassroomAuth, aggregationRefusal, enableSpotChecks, serveRotation, type Coordinator, type CoordinatorOptions } from '@shardgrad/coordinator';
import { UsageError, type Output } from './output.ts';
import { nonNegativeInt, oneOf, positiveInt } from './parse.ts';

/** A fraction in (0, 1] (`--spot-check 0.05`). */
function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= 1)) throw new InvalidArgumentError(`expected a fraction in (0, 1], got "${value}"`);
  return n;
}

/** β of the trimmed mean, in [0, 0.5). */
function trimFraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n < 0.5)) throw new InvalidArgumentError(`expected a fraction in [0, 0.5), got "${value}"`);
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  try {
    return [...previous, new URL(value).origin];
  } catch {
    throw new InvalidArgumentError(`expected an origin such as https://class.example:8443, got "${value}"`);
  }
}

/** The flags of `train` and `coordinator` that decide what the coordinator trusts and how it recovers. */
export function addTrustOptions(cmd: Command, scope: 'train' | 'coordinator'): Command {
  cmd
    .option('--aggregator <rule>', `how a round's results become one update: ${AGGREGATOR_NAMES.join(', ')}`, oneOf(AGGREGATOR_NAMES))
    .option('--byzantine <f>', 'results per round that may be wrong on purpose (default: 0 for mean, 1 for the robust rules)', nonNegativeInt)
    .option('--trim <beta>', 'trimmed-mean: fraction of the weight cut from each end of every coordinate (default 0.2)', trimFraction)
    .option('--max-strikes <n>', 'refused submissions (faults, not late copies) before a worker is dropped', positiveInt, 5)
    .option('--spot-check <fraction>', "recompute this fraction of untrusted workers' shards on the coordinator and refuse mismatches", fraction)
    .option('--resume <path>', "go on from a run directory (its latest checkpoint), a checkpoint directory, or a training-state file; the run keeps its own model, data, batch, seed, optimizer and directory");
  if (scope === 'coordinator') {
    cmd
      .option('--worker-token <token>', 'the token worker nodes present, 16 characters or more (default: SHARDGRAD_WORKER_TOKEN, else a new random one, printed once)')
      .option('--allow-origin <origin>', 'a page origin allowed to open sockets besides this server (repeatable)', collect)
      .option('--max-tabs-per-ip <n>', "students' tabs allowed from one address", positiveInt, 64)
      .option('--max-tabs-per-nickname <n>', 'tabs allowed under one nickname', positiveInt, 3);
  }
  return cmd;
}

/**
 * What `train` and `coordinator` both hand createCoordinator: the run flags, the model and dataset
 * options (training-flags.ts) and the trust flags.
 */
export function coordinatorOptionsFromFlags(o: Record<string, unknown>, setup: Pick<CoordinatorOptions, 'modelConfig' | 'datasetOptions'>): CoordinatorOptions {
  return {
    model: o.model as string,
    dataset: o.dataset as string | undefined,
    batch: o.batch as number | undefined,
    largestBatch: o.adaptiveBatch as number | undefined,
    seed: o.seed as number | undefined,
    optimizer: o.optimizer as CoordinatorOptions['optimizer'],
    learningRate: o.lr as number | undefined,
    split: o.split as CoordinatorOptions['split'],
    modelConfig: setup.modelConfig,
    datasetOptions: setup.datasetOptions,
    ...coordinatorTrustOptions(o),
  };
}

/** The part of the trust flags that createCoordinator takes. */
function coordinatorTrustOptions(o: Record<string, unknown>): Pick<CoordinatorOptions, 'aggregator' | 'byzantine' | 'trim' | 'resume'> {
  return {
    aggregator: o.aggregator as string | undefined,
    byzantine: o.byzantine as number | undefined,
    trim: o.trim as number | undefined,
    resume: o.resume as string | undefined,
  };
}

/**
 * Turns on admission (join code, worker token, teacher token, Origin check, tab caps, strikes) and
 * spot checks. Secrets that were generated here are printed once; given ones are not echoed.
 */
export function applyTrust(c: Coordinator, o: Record<string, unknown>, out: Output, extra: { publicUrl?: string; workers?: number } = {}): ClassroomAuth {
  // With a fixed number of local workers, a rule that can never be satisfied is a usage error, not a wait.
  const rule = c.config.aggregation;
  const why = rule && extra.workers !== undefined ? aggregationRefusal(rule, extra.workers) : undefined;
  if (why) throw new UsageError(`--aggregator ${rule!.name} with --workers ${extra.workers}: ${why}`);
  const given = (o.workerToken as string | undefined) ?? process.env.SHARDGRAD_WORKER_TOKEN;
  const auth = new ClassroomAuth({ teacherToken: o.teacherToken as string | undefined, joinCode: o.joinCode as string | undefined, workerToken: given || undefined });
  const origins = [...((o.allowOrigin as string[] | undefined) ?? [])];
  if (extra.publicUrl) origins.push(new URL(extra.publicUrl).origin);
  c.admission.configure({
    auth,
    allowedOrigins: origins,
    maxStrikes: o.maxStrikes as number | undefined,
    ...(o.maxTabsPerIp !== undefined && { maxTabsPerIp: o.maxTabsPerIp as number }),
    ...(o.maxTabsPerNickname !== undefined && { maxTabsPerNickname: o.maxTabsPerNickname as number }),
  });
  serveRotation(c, auth);
  if (o.spotCheck !== undefined) enableSpotChecks(c, { fraction: o.spotCheck as number });
  if (!given) {
    out.event({ type: 'worker-token', token: auth.workerToken }, () =>
      `worker token (printed once): ${auth.workerToken}\n  workers join with --token <it> or SHARDGRAD_WORKER_TOKEN; rotate with POST /api/rotate`,
    );
  }
  if (rule && rule.name !== 'mean') {
    out.event({ type: 'aggregator', name: rule.name, ...rule.options }, () => `aggregator: ${rule.name} (tolerates f = ${rule.options.f} Byzantine results per round)`);
  }
  return auth;
}
