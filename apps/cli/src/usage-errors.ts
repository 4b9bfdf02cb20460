import { AuthSettingsError, ListenError, ModelFileError, ResumeError, TrainingOptionsError } from '@shardgrad/coordinator';
import { AugmentConfigError, DatasetOptionError } from '@shardgrad/data';
import { ModelConfigError } from '@shardgrad/models';
import { LrRuleError, LrScheduleError } from '@shardgrad/trainer';
import { JoinRefusedError } from '@shardgrad/worker-node';
import { UsageError } from './output.ts';
import { SweepConfigError } from './sweep/sweep-config.ts';

/**
 * The errors that mean the user asked for something that cannot be: exit code 2 and no stack trace,
 * wherever they are thrown (a flag's parser, the registry, the dataset loader, the coordinator's setup).
 */
const USAGE_ERRORS = [UsageError, ModelConfigError, DatasetOptionError, AugmentConfigError, LrScheduleError, LrRuleError, TrainingOptionsError, AuthSettingsError, ListenError, ResumeError, ModelFileError, SweepConfigError];

export function isUsageError(e: unknown): boolean {
  // A coordinator's refusal the user must fix (token, join code, version) too: launch must not retry it.
  return USAGE_ERRORS.some((C) => e instanceof C) || (e instanceof JoinRefusedError && e.userMustFix);
}

/**
 * Runs a step whose failures are the user's (model and dataset options checked once the data is
 * loaded): a RangeError there is an option out of range too, where elsewhere it would be a bug.
 */
export async function asUsageErrors<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof UsageError) && (isUsageError(e) || e instanceof RangeError)) throw new UsageError((e as Error).message);
    throw e;
  }
}
