/**
 * The regularization and input options every model may take through `modelConfig`
 * (`shardgrad train --dropout 0.3 --l2 1e-4 --batch-norm --augment crop=2,flip ...`).
 * A model lists the ones its builder honours in `ModelDefinition.commonOptions`; the coordinator
 * rejects the others, so a flag is never silently ignored. `augment` is applied by the workers to
 * their rows (ShardComputer), so it needs no builder support, only image inputs.
 */
import { type AugmentConfig, type Dataset, isNoAugment, parseAugmentConfig, validateAugmentConfig } from '@shardgrad/data';
import type { ModelDefinition, PipelinePhase } from './types.ts';

export const COMMON_OPTIONS = ['dropout', 'l1', 'l2', 'batchNorm', 'layerNorm', 'normalize', 'augment', 'microBatch'] as const;
export type CommonOptionName = (typeof COMMON_OPTIONS)[number];

/** What each common option means, for `shardgrad models` and the error messages. */
export const COMMON_OPTION_DOCS: Record<CommonOptionName, string> = {
  dropout: 'dropout rate in [0, 1) after each hidden block',
  l1: 'L1 weight penalty (coefficient >= 0) on every kernel',
  l2: 'L2 weight penalty (coefficient >= 0) on every kernel',
  batchNorm: 'batch normalization before each hidden activation',
  layerNorm: 'layer normalization before each hidden activation',
  normalize: "standardize inputs with the training set's mean and std",
  augment: 'image augmentation in the workers, e.g. "crop=2,flip,rotate=10,translate=2,scale=0.1,noise=0.05"',
  microBatch: 'most samples a worker passes through the model at once; a larger shard runs in equal chunks whose gradients are averaged',
};

/** Input standardization constants, computed once from the training split by the coordinator. */
export interface InputStats {
  mean: number;
  std: number;
}

export interface ModelOptions {
  dropout: number;
  l1: number;
  l2: number;
  batchNorm: boolean;
  layerNorm: boolean;
  /** false, true (not resolved yet: no statistics) or the statistics the model bakes in. */
  normalize: boolean | InputStats;
  augment: AugmentConfig;
  /** Most samples per forward and backward pass in a worker; 0: the whole shard in one pass. */
  microBatch: number;
}

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

function number(config: Record<string, unknown>, key: string, ok: (v: number) => boolean, hint: string): number {
  const v = config[key];
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new ModelConfigError(`${key} must be ${hint}, got ${JSON.stringify(v)}`);
  return v;
}

function flag(config: Record<string, unknown>, key: string): boolean {
  const v = config[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new ModelConfigError(`${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function normalizeOption(v: unknown): boolean | InputStats {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  const s = v as Partial<InputStats> | null;
  if (s && typeof s === 'object' && Number.isFinite(s.mean) && Number.isFinite(s.std) && s.std! > 0) return { mean: s.mean!, std: s.std! };
  throw new ModelConfigError(`normalize must be true, false or {mean, std} with std > 0, got ${JSON.stringify(v)}`);
}

function augmentOption(v: unknown): AugmentConfig {
  if (v === undefined) return {};
  try {
    if (typeof v === 'string') return parseAugmentConfig(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) return validateAugmentConfig({ ...(v as AugmentConfig) });
  } catch (e) {
    throw new ModelConfigError((e as Error).message);
  }
  throw new ModelConfigError(`augment must be a string like "crop=2,flip" or an object, got ${JSON.stringify(v)}`);
}

/** The common options of a modelConfig, checked; options left out are off. Other keys are ignored here. */
export function readModelOptions(config: Record<string, unknown>): ModelOptions {
  const opts: ModelOptions = {
    dropout: number(config, 'dropout', (v) => v >= 0 && v < 1, 'a rate in [0, 1)'),
    l1: number(config, 'l1', (v) => v >= 0, 'a coefficient >= 0'),
    l2: number(config, 'l2', (v) => v >= 0, 'a coefficient >= 0'),
    batchNorm: flag(config, 'batchNorm'),
    layerNorm: flag(config, 'layerNorm'),
    normalize: normalizeOption(config.normalize),
    augment: augmentOption(config.augment),
    microBatch: number(config, 'microBatch', (v) => Number.isInteger(v) && v >= 1, 'a whole number of samples >= 1'),
  };
  if (opts.batchNorm && opts.layerNorm) throw new ModelConfigError('batchNorm and layerNorm are alternatives: choose one');
  return opts;
}

/** Which common options a config switches on (a 0 rate, false or "none" counts as off). */
export function enabledOptions(config: Record<string, unknown>): CommonOptionName[] {
  const o = readModelOptions(config);
  const on: Record<CommonOptionName, boolean> = {
    dropout: o.dropout > 0,
    l1: o.l1 > 0,
    l2: o.l2 > 0,
    batchNorm: o.batchNorm,
    layerNorm: o.layerNorm,
    normalize: o.normalize !== false,
    augment: !isNoAugment(o.augment),
    microBatch: o.microBatch > 0,
  };
  return COMMON_OPTIONS.filter((k) => on[k]);
}

/**
 * The options a model lists (`shardgrad models`, refusals): the common ones its builder honours, then
 * its own. Augmentation (image data) and micro-batches (any supervised model) are training flags
 * of every model, not listed per model.
 */
export function listedOptions(def: Pick<ModelDefinition, 'commonOptions' | 'options'>): string[] {
  return [...(def.commonOptions ?? []), ...Object.keys(def.options ?? {})];
}

/**
 * The model's defaults under the user's config, checked: unknown keys, options this model does not
 * use, bad values and augmentation of non-image inputs are errors that name the fix.
 */
export function checkModelConfig(
  def: Pick<ModelDefinition, 'name' | 'commonOptions' | 'options' | 'defaults' | 'customStep'>,
  userConfig: Record<string, unknown>,
  inputShape: readonly number[],
): Record<string, unknown> {
  const config = { ...(def.defaults.config ?? {}), ...userConfig };
  const known = new Set<string>([...COMMON_OPTIONS, ...Object.keys(def.options ?? {})]);
  for (const key of Object.keys(config)) {
    if (!known.has(key)) {
      throw new ModelConfigError(`model "${def.name}" has no option "${key}"; it takes: ${[...known].join(', ')}`);
    }
  }
  const supported = new Set<string>(def.commonOptions ?? []);
  supported.add('augment');
  // A custom step (GAN, policy gradient) draws its own batch, so there is no shard to cut up.
  if (!def.customStep) supported.add('microBatch');
  const unsupported = enabledOptions(config).filter((k) => !supported.has(k));
  if (unsupported.length > 0) {
    throw new ModelConfigError(
      `model "${def.name}" does not use ${unsupported.join(', ')}; its options: ${listedOptions(def).join(', ') || 'none'}`,
    );
  }
  if (enabledOptions(config).includes('augment') && !(inputShape.length === 3 || inputShape.length === 2)) {
    throw new ModelConfigError(`augment needs image inputs [h, w, c]; this dataset's inputs are [${inputShape.join(', ')}]`);
  }
  return config;
}

/** Replaces `normalize: true` with the statistics of the training inputs, so every process builds the same model. */
export function resolveInputStats(config: Record<string, unknown>, trainX: Float32Array): Record<string, unknown> {
  if (config.normalize !== true) return config;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < trainX.length; i++) {
    sum += trainX[i]!;
    sq += trainX[i]! * trainX[i]!;
  }
  const n = Math.max(1, trainX.length);
  const mean = sum / n;
  // A constant input has no spread to divide by; 1 leaves it merely centred.
  const std = Math.sqrt(Math.max(0, sq / n - mean * mean)) || 1;
  return { ...config, normalize: { mean, std } };
}

/**
 * A run's model config as the coordinator builds it: the model's defaults under the user's options,
 * checked, with input statistics resolved from the training images. Anything that builds the run's
 * model elsewhere (benchmarks) must use this too, or it measures another network.
 */
export function runModelConfig(
  def: Pick<ModelDefinition, 'name' | 'commonOptions' | 'options' | 'defaults' | 'customStep' | 'checkOptionsWithData'>,
  userConfig: Record<string, unknown>,
  dataset: Dataset,
): Record<string, unknown> {
  const config = checkModelConfig(def, userConfig, dataset.inputShape);
  def.checkOptionsWithData?.(config, dataset);
  return resolveInputStats(config, dataset.train.x);
}

/**
 * The option that picks a phase of a pipeline model (seq2seq's attention, birnn's direction,
 * transfer's stage): the modelConfig key that every phase sets, each to a value of its own.
 */
export function phaseOption(def: Pick<ModelDefinition, 'pipeline'>): string | undefined {
  const phases = def.pipeline?.phases ?? [];
  const values = (key: string) => phases.map((p) => p.modelConfig?.[key]);
  return Object.keys(phases[0]?.modelConfig ?? {}).find((key) => {
    const v = values(key);
    return v.every((x) => x !== undefined) && new Set(v.map(String)).size === phases.length;
  });
}

/**
 * The phases `train` runs for the user's model config: all of them, or, when it sets the phase
 * option, the phase of that value and the phases it starts from (transfer's finetune needs the
 * pretrain phase's base), in pipeline order. A value no phase has is refused with the allowed ones.
 */
export function pipelinePhases(def: Pick<ModelDefinition, 'name' | 'pipeline'>, userConfig: Record<string, unknown>): PipelinePhase[] {
  const phases = def.pipeline?.phases ?? [];
  const key = phaseOption(def);
  const wanted = key === undefined ? undefined : userConfig[key];
  if (key === undefined || wanted === undefined) return phases;
  const valueOf = (p: PipelinePhase) => String(p.modelConfig![key]);
  const picked = phases.find((p) => valueOf(p) === String(wanted));
  if (!picked) {
    const values = phases.map(valueOf);
    const which = values.every((v, i) => v === phases[i]!.name) ? '' : ` (${phases.map((p) => `${valueOf(p)}: ${p.name}`).join(', ')})`;
    throw new ModelConfigError(`${def.name} option ${key} picks the phase to train: one of ${values.join(', ')}${which}, got ${JSON.stringify(wanted)}`);
  }
  const needed = new Set<string>();
  for (let p: PipelinePhase | undefined = picked; p && !needed.has(p.name); p = phases.find((q) => q.name === p!.initFrom?.phase)) needed.add(p.name);
  return phases.filter((p) => needed.has(p.name));
}
