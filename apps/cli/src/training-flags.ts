import { Command, InvalidArgumentError, Option } from 'commander';
import { type TrainingOptions, checkTrainingOptions, trainingOptionsFrom } from '@shardgrad/coordinator';
import { parseAugmentConfig } from '@shardgrad/data';
import type { ModelDefinition } from '@shardgrad/models';
import { parseLrSchedule } from '@shardgrad/trainer';
import { UsageError } from './output.ts';
import { nonNegativeInt, positiveInt } from './parse.ts';

/**
 * The regularization and training flags of `shardgrad train`, for every model:
 * model options travel to the workers in modelConfig; the training policy stays at the coordinator.
 */

function rate(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !(v >= 0 && v < 1)) throw new InvalidArgumentError(`expected a rate in [0, 1), got "${value}"`);
  return v;
}

function coefficient(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`expected a coefficient >= 0, got "${value}"`);
  return v;
}

function fraction(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !(v > 0 && v < 1)) throw new InvalidArgumentError(`expected a fraction in (0, 1), got "${value}"`);
  return v;
}

function augment(value: string): string {
  try {
    parseAugmentConfig(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return value;
}

function schedule(value: string): string {
  try {
    parseLrSchedule(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return value;
}

/** `key=value`, the value read as JSON when it is JSON (numbers, booleans, arrays), else as text. */
export function keyValue(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf('=');
  const key = eq < 0 ? '' : value.slice(0, eq).trim();
  if (!/^[A-Za-z][\w-]*$/.test(key)) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  const raw = value.slice(eq + 1).trim();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // plain text, e.g. stage=finetune
  }
  return { ...previous, [key]: parsed };
}

/** Adds the flags (after the command's own, so `--help` lists them last). */
export function withTrainingFlags(cmd: Command): Command {
  return withTrainingPolicyFlags(withModelFlags(cmd));
}

/** The flags that change the network (modelConfig) and the data (dataset options). */
export function withModelFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--dropout <rate>', 'dropout rate in [0, 1) after hidden blocks (0 = off)').argParser(rate))
    .addOption(new Option('--l1 <c>', 'L1 weight penalty on kernels').argParser(coefficient))
    .addOption(new Option('--l2 <c>', 'L2 weight penalty on kernels').argParser(coefficient))
    .option('--batch-norm', 'batch normalization before hidden activations')
    .option('--no-batch-norm', 'no batch normalization (overrides a model default)')
    .option('--layer-norm', 'layer normalization before hidden activations')
    .option('--no-layer-norm', 'no layer normalization')
    .option('--normalize', "standardize inputs with the training set's mean and std")
    .option('--no-normalize', 'no input standardization')
    .addOption(new Option('--augment <spec>', 'augmentation in the workers: crop=N,flip,translate=N,scale=F,rotate=DEG,noise=STD or none').argParser(augment))
    .addOption(new Option('--micro-batch <n>', 'most samples a worker passes through the model at once (default: what fits in 1 GiB, for batches over 256)').argParser(positiveInt))
    .addOption(new Option('--set <key=value>', 'any model option, repeatable (e.g. --set filters=32)').argParser(keyValue))
    .addOption(new Option('--dataset-option <key=value>', 'a dataset option, repeatable (e.g. classes=[0,1], trainPerClass=100; trainLimit=5000 on fashion-mnist and cifar-10)').argParser(keyValue));
}

/** The flags that steer training at the coordinator: schedule, warm-up, validation, early stopping. */
function withTrainingPolicyFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--lr-schedule <spec>', 'constant | step:<epochs>:<gamma> | cosine | exponential:<rate per epoch>').argParser(schedule))
    .addOption(new Option('--warmup <steps>', 'linear learning-rate warm-up over this many steps').argParser(nonNegativeInt))
    .addOption(new Option('--validation-split <fraction>', 'hold out this fraction of the training set for validation').argParser(fraction))
    .addOption(new Option('--early-stopping <patience>', 'stop after this many validations without improvement').argParser(positiveInt))
    .option('--restore-best', 'end with the weights of the best validation loss')
    .addOption(new Option('--validate-every <steps>', 'validate every this many steps instead of each epoch').argParser(positiveInt));
}

/**
 * The training flags set in `o`, as the argv that gives them again to another shardgrad command
 * (`launch` passes them to its coordinator). Read from the option definitions above, so a new flag
 * travels too.
 */
export function trainingFlagArgs(o: Record<string, unknown>): string[] {
  const args: string[] = [];
  for (const opt of withTrainingFlags(new Command()).options) {
    const v = o[opt.attributeName()];
    if (v === undefined) continue;
    if (typeof v === 'boolean') {
      // `--batch-norm` and `--no-batch-norm` share one attribute: the one whose sense matches says it.
      if (v === !opt.negate) args.push(opt.long!);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, value] of Object.entries(v)) args.push(opt.long!, `${key}=${JSON.stringify(value)}`);
    } else {
      args.push(opt.long!, String(v));
    }
  }
  return args;
}


export interface TrainingSetup {
  modelConfig: Record<string, unknown>;
  datasetOptions: Record<string, unknown> | undefined;
  options: TrainingOptions;
}

/** The model flags (withModelFlags) as modelConfig and dataset options. */
export function modelFromFlags(o: Record<string, unknown>): Pick<TrainingSetup, 'modelConfig' | 'datasetOptions'> {
  const set = (o.set as Record<string, unknown>) ?? {};
  const modelConfig: Record<string, unknown> = { ...set };
  const put = (key: string, v: unknown) => {
    if (v === undefined) return;
    // Both said, differently: which one the user meant is not ours to guess.
    if (key in set && JSON.stringify(set[key]) !== JSON.stringify(v)) {
      throw new UsageError(`--set ${key}=${JSON.stringify(set[key])} and --${flagName(key)} ${JSON.stringify(v)} disagree; give one of them`);
    }
    modelConfig[key] = v;
  };
  put('dropout', o.dropout);
  put('l1', o.l1);
  put('l2', o.l2);
  put('batchNorm', o.batchNorm);
  put('layerNorm', o.layerNorm);
  put('normalize', o.normalize);
  put('augment', o.augment);
  put('microBatch', o.microBatch);
  return { modelConfig, datasetOptions: o.datasetOption as Record<string, unknown> | undefined };
}

/** The flags as modelConfig, dataset options and the coordinator's training options, over the model's defaults. */
export function trainingFromFlags(o: Record<string, unknown>, def: Pick<ModelDefinition, 'defaults'>): TrainingSetup {
  // The model's defaults, then each flag the user gave; `--lr-schedule constant` turns a default schedule off.
  const options: TrainingOptions = trainingOptionsFrom(def.defaults.training ?? {});
  const given: Partial<Record<keyof TrainingOptions, unknown>> = {
    lrSchedule: o.lrSchedule === undefined ? undefined : parseLrSchedule(o.lrSchedule as string),
    warmupSteps: o.warmup,
    validationSplit: o.validationSplit,
    earlyStoppingPatience: o.earlyStopping,
    restoreBest: o.restoreBest,
    validateEvery: o.validateEvery,
  };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (options as Record<string, unknown>)[k] = v;
  if (options.lrSchedule?.kind === 'constant') delete options.lrSchedule;
  try {
    checkTrainingOptions(options);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return { ...modelFromFlags(o), options };
}

/** The flag a model-config key has (microBatch → micro-batch). */
const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
