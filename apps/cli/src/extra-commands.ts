import type { Command } from 'commander';
import { sweepCommand } from './commands/sweep.ts';
import { benchCommand } from './commands/bench.ts';
import { launchCommand } from './commands/launch.ts';
import { exportCommand } from './commands/export.ts';
import { neighboursCommand } from './commands/neighbours.ts';

/** Commands beyond the core set; each issue's command registers here so main.ts stays put. */
export function extraCommands(): Command[] {
  return [benchCommand(), launchCommand(), exportCommand(), sweepCommand(), neighboursCommand()];
}
