import type { Command } from 'commander';
import { benchCommand } from './commands/bench.ts';

/** Commands beyond the core set; each issue's command registers here so main.ts stays put. */
export function extraCommands(): Command[] {
  return [benchCommand()];
}
