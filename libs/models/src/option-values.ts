import { ModelConfigError } from './model-options.ts';

/** Hidden layer sizes from "32,32" (the CLI's `--set hidden=32,32`) or [32, 32]. */
export function hiddenUnits(config: Record<string, unknown>, key: string, fallback: number[]): number[] {
  const v = config[key] ?? fallback;
  const list = typeof v === 'number' ? [v] : typeof v === 'string' ? v.split(',').map((s) => Number(s.trim())) : v;
  if (!Array.isArray(list) || list.length === 0 || list.length > 8 || !list.every((u) => Number.isInteger(u) && u >= 1 && u <= 4096)) {
    throw new ModelConfigError(`${key} must list 1 to 8 layer sizes in [1, 4096] like "32,32", got ${JSON.stringify(v)}`);
  }
  return list as number[];
}

export function choice<T extends string>(config: Record<string, unknown>, key: string, choices: readonly T[], fallback: T): T {
  const v = config[key] ?? fallback;
  if (!(choices as readonly unknown[]).includes(v)) throw new ModelConfigError(`${key} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

export function intInRange(config: Record<string, unknown>, key: string, min: number, max: number, fallback: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ModelConfigError(`${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}
