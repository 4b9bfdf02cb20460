import { Command, CommanderError } from 'commander';
import { coordinatorCommand } from './commands/coordinator.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { modelsCommand } from './commands/models.ts';
import { predictCommand } from './commands/predict.ts';
import { trainCommand } from './commands/train.ts';
import { workerCommand } from './commands/worker.ts';
import { isUsageError } from './usage-errors.ts';
import { extraCommands } from './extra-commands.ts';
import { applyConfigSources, envSwitch, withConfig } from './config.ts';
import { refuseEmptyValues } from './empty-values.ts';

// Piped into `head` (or a pager that quits): the reader is gone, so is our reason to print. Without
// this the next write threw EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

/** After a usage error: one line naming it, and where the full help is (not the help itself: 80+ lines bury the error). */
const HELP_HINT = '(add --help for the flags and examples)';

const program = new Command('shardgrad')
  .description('Synchronous data-parallel training for TensorFlow.js across Node processes, browser tabs and threads.')
  .addHelpText(
    'before',
    'Examples:\n  npx shardgrad train                    # coordinator + 2 local workers on MNIST; prints the live dashboard link\n  npx shardgrad models                   # what can be trained\n  npx shardgrad coordinator --port 8080  # then, elsewhere: npx shardgrad worker --url http://host:8080\n' +
      '  npx shardgrad coordinator --host 0.0.0.0   # a class: students scan the QR code on the dashboard\n' +
      '  npx shardgrad export --out my-model    # the newest run, for tf.loadLayersModel\n' +
      '  npx shardgrad predict --model-dir runs/<id> my-digit.png\n',
  )
  .addHelpText(
    'after',
    '\nSettings come from flags, then SHARDGRAD_<FLAG> variables (SHARDGRAD_BATCH=64; torchrun\'s MASTER_ADDR,\n' +
      'MASTER_PORT, RANK and WORLD_SIZE too), then a --config file (JSON or YAML: top-level settings, or a\n' +
      'section per command such as `train: {batch: 64}`). Each command\'s --help lists its variables.\n',
  )
  .showHelpAfterError(HELP_HINT)
  .exitOverride();

for (const cmd of [trainCommand(), coordinatorCommand(), workerCommand(), modelsCommand(), evaluateCommand(), predictCommand(), ...extraCommands()]) {
  program.addCommand(withConfig(cmd).exitOverride().showHelpAfterError(HELP_HINT));
}
// Before a command parses its flags: the --config file and torchrun's variables, which flags and SHARDGRAD_* override.
let ran: Command | undefined;
program.hook('preSubcommand', (_program, sub) => {
  ran = sub;
  return applyConfigSources(program, sub);
});
program.hook('preAction', (_program, action) => refuseEmptyValues(action));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) process.exit(0);
    exitWithError(e.message.replace(/^error: /, ''), 2, false);
  }
  // Anything else reaching here is reported plainly; stack traces are for bugs, not for bad input.
  exitWithError((e as Error).message, isUsageError(e) ? 2 : 1, true);
}

/**
 * With --json a script reading stdout gets the failure as its last line too, in the same form as
 * every other line; people read stderr (where commander has already printed its own errors).
 */
function exitWithError(message: string, code: number, toStderr: boolean): never {
  if (toStderr) process.stderr.write(`shardgrad: ${message}\n`);
  // --json as the command resolved it (SHARDGRAD_JSON first, then a config file: applyConfigSources),
  // else as typed or set when no command got that far (an unknown command, a flag that failed first).
  const resolved = ran?.opts().json as boolean | undefined;
  const json = resolved ?? (process.argv.includes('--json') || envSwitch(process.env.SHARDGRAD_JSON) === true);
  if (json) process.stdout.write(`${JSON.stringify({ type: 'error', message, exitCode: code, time: new Date().toISOString() })}\n`);
  process.exit(code);
}
