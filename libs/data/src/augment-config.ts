/**
 * Augmentation options as plain typed values, plus the CLI string form
 * (`crop=4,flip,rotate=10,translate=2,scale=0.1,noise=0.05`) used by `shardgrad train --augment`
 * and written into run directories. Every option left out is off.
 */

export interface AugmentConfig {
  /** Pad-and-crop: zero-pad this many pixels per side, then crop a random HxW window (integer >= 0). */
  crop?: number;
  /** Mirror left-right with probability 1/2. Off for digits, where mirroring changes the meaning. */
  flip?: boolean;
  /** Zoom by a factor drawn uniformly from [1 - scale, 1 + scale]; in [0, 1). */
  scale?: number;
  /** Rotate by an angle drawn uniformly from [-rotate, rotate] degrees; in [0, 180]. */
  rotate?: number;
  /** Shift by whole pixels drawn uniformly from [-translate, translate] on each axis (integer >= 0). */
  translate?: number;
  /** Add gaussian noise of this standard deviation, then clip to [0, 1]; in [0, 1]. */
  noise?: number;
}

export type AugmentOption = keyof AugmentConfig;

// The canonical order of options in formatAugmentConfig and the order augment.ts draws them in.
export const AUGMENT_OPTIONS: readonly AugmentOption[] = ['crop', 'flip', 'translate', 'scale', 'rotate', 'noise'];

type Rule = { kind: 'int' | 'number'; min: number; max: number; maxOpen?: boolean; hint: string };
const NUMERIC: Record<Exclude<AugmentOption, 'flip'>, Rule> = {
  crop: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, hint: 'pad pixels, e.g. crop=4' },
  translate: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, hint: 'max shift in pixels, e.g. translate=2' },
  scale: { kind: 'number', min: 0, max: 1, maxOpen: true, hint: 'max relative zoom in [0, 1), e.g. scale=0.1' },
  rotate: { kind: 'number', min: 0, max: 180, hint: 'max degrees in [0, 180], e.g. rotate=10' },
  noise: { kind: 'number', min: 0, max: 1, hint: 'noise std in [0, 1], e.g. noise=0.05' },
};

export class AugmentConfigError extends Error {
  override name = 'AugmentConfigError';
}

/** Parse the CLI form. '' and 'none' mean no augmentation. */
export function parseAugmentConfig(text: string): AugmentConfig {
  const config: AugmentConfig = {};
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return config;
  for (const raw of trimmed.split(',')) {
    const item = raw.trim();
    if (item === '') throw new AugmentConfigError(`augment "${text}": empty option (stray comma?)`);
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : item.slice(eq + 1).trim();
    if (!(AUGMENT_OPTIONS as readonly string[]).includes(key)) {
      throw new AugmentConfigError(`augment: unknown option "${key}"; known options: ${AUGMENT_OPTIONS.join(', ')}`);
    }
    const opt = key as AugmentOption;
    if (opt in config) throw new AugmentConfigError(`augment: option "${opt}" given twice`);
    if (opt === 'flip') {
      config.flip = parseFlag(value);
      continue;
    }
    const rule = NUMERIC[opt];
    if (value === undefined || value === '') throw new AugmentConfigError(`augment: "${opt}" needs a value (${rule.hint})`);
    config[opt] = checkNumber(opt, Number(value), rule, value);
  }
  return config;
}

function parseFlag(value: string | undefined): boolean {
  if (value === undefined || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new AugmentConfigError(`augment: "flip" takes no value or true/false, got "${value}"`);
}

function checkNumber(opt: AugmentOption, v: number, rule: Rule, shown: string | number = v): number {
  const inRange = v >= rule.min && (rule.maxOpen ? v < rule.max : v <= rule.max);
  if (!Number.isFinite(v) || !inRange || (rule.kind === 'int' && !Number.isInteger(v))) {
    throw new AugmentConfigError(`augment: bad value "${shown}" for "${opt}" (${rule.hint})`);
  }
  return v;
}

/** Check a config built in code (not parsed) with the same rules the parser applies. */
export function validateAugmentConfig(config: AugmentConfig): AugmentConfig {
  for (const key of Object.keys(config)) {
    if (!(AUGMENT_OPTIONS as readonly string[]).includes(key)) {
      throw new AugmentConfigError(`augment: unknown option "${key}"; known options: ${AUGMENT_OPTIONS.join(', ')}`);
    }
  }
  if (config.flip !== undefined && typeof config.flip !== 'boolean') {
    throw new AugmentConfigError(`augment: "flip" must be a boolean, got ${String(config.flip)}`);
  }
  for (const [opt, rule] of Object.entries(NUMERIC) as [Exclude<AugmentOption, 'flip'>, Rule][]) {
    const v = config[opt];
    if (v !== undefined) checkNumber(opt, v, rule);
  }
  return config;
}

/** The canonical CLI form; parseAugmentConfig(formatAugmentConfig(c)) equals c (without off options). */
export function formatAugmentConfig(config: AugmentConfig): string {
  const parts: string[] = [];
  for (const opt of AUGMENT_OPTIONS) {
    const v = config[opt];
    if (v === undefined || v === false) continue;
    parts.push(v === true ? opt : `${opt}=${v}`);
  }
  return parts.length ? parts.join(',') : 'none';
}

/** True when the config changes nothing, so callers can skip the copy entirely. */
export function isNoAugment(config: AugmentConfig): boolean {
  return !config.flip && !config.crop && !config.translate && !config.scale && !config.rotate && !config.noise;
}
