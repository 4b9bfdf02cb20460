import type { Command } from 'commander';
import { UsageError } from './output.ts';

/**
 * Refuses a flag given an empty value, on the command line or in a --config file (`--resume ''`,
 * `--join ''`): commander takes '' as a value, and the commands read it as "not given", so
 * `--resume "$RUN"` with $RUN unset started a new run, and `--join ''` a coordinator of its own,
 * without a word. An empty environment variable still means unset, as it does in compose files.
 */
export function refuseEmptyValues(cmd: Command): void {
  for (const option of cmd.options) {
    const value: unknown = cmd.getOptionValue(option.attributeName());
    const empty = (v: unknown) => typeof v === 'string' && v.trim() === '';
    if (!(empty(value) || (Array.isArray(value) && value.some(empty)))) continue;
    const source = cmd.getOptionValueSource(option.attributeName());
    if (source === 'cli') throw new UsageError(`${option.long} was given an empty value; give one, or leave the flag out`);
    if (source === 'config') throw new UsageError(`the --config file gives ${option.name()} an empty value; give one, or leave it out`);
  }
}
