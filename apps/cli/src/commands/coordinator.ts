import { Command } from 'commander';
import { createCoordinator, runTraining } from '@shardgrad/coordinator';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createOutput } from '../output.ts';
import { nonNegativeInt, oneOf, positiveInt, positiveNumber } from '../parse.ts';
import { describeEvent } from '../describe-event.ts';
import { keepServing } from '../keep-serving.ts';

const OPTIMIZERS = ['sgd', 'momentum', 'rmsprop', 'adam'] as const;

export function coordinatorCommand(): Command {
  return new Command('coordinator')
    .summary('run a coordinator that workers on other machines join')
    .addHelpText('before', 'Examples:\n  npx shardgrad coordinator --port 8080 --min-workers 2\n  npx shardgrad coordinator --model mnist-mlp --dataset fashion-mnist --host 0.0.0.0\n')
    .option('--model <name>', 'model from the registry', 'mnist-mlp')
    .option('--dataset <name>', "dataset (default: the model's own)")
    .option('--epochs <n>', 'passes over the training set', positiveInt)
    .option('--steps <n>', 'stop after this many steps', positiveInt)
    .option('--batch <n>', 'global mini-batch', positiveInt)
    .option('--lr <rate>', 'learning rate', positiveNumber)
    .option('--optimizer <name>', `optimizer: ${OPTIMIZERS.join(', ')}`, oneOf(OPTIMIZERS))
    .option('--seed <n>', 'seed for initialisation and data order', nonNegativeInt, 1)
    .option('--host <addr>', 'address to listen on', process.env.SHARDGRAD_HOST ?? '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 = any free port)', nonNegativeInt, Number(process.env.SHARDGRAD_PORT ?? process.env.MASTER_PORT ?? 8080))
    .option('--min-workers <n>', 'rounds wait until this many workers are connected', positiveInt, Number(process.env.WORLD_SIZE ?? 1))
    .option('--keep-alive', 'after training, keep serving /healthz, /readyz and /api/status until SIGTERM (Deployments, compose services)')
    .option('--json', 'print one JSON object per line')
    .action(async (o) => {
      const out = createOutput(Boolean(o.json));
      await initNodeBackend('wasm');
      const c = await createCoordinator({
        model: o.model,
        dataset: o.dataset,
        batch: o.batch,
        seed: o.seed,
        optimizer: o.optimizer,
        learningRate: o.lr,
        host: o.host,
        port: o.port,
      });
      c.on('event', (e) => out.event(e as Record<string, unknown>, describeEvent));
      // createCoordinator already listens, so its own 'listening' event went out before anyone heard it;
      // say it again: people need the URL and `launch` reads it from here.
      out.event({ type: 'listening', url: c.url, runId: c.runId, model: c.config.def.name, dataset: c.config.datasetName, parameters: c.config.state.parameterCount }, describeEvent);
      const summary = await runTraining(c, { epochs: o.epochs ?? c.config.def.defaults.epochs, maxSteps: o.steps, minWorkers: o.minWorkers, evaluateEachEpoch: true });
      c.broadcastStop('training finished');
      out.event({ ...summary }, () => `test accuracy ${(summary.testAccuracy * 100).toFixed(2)}%, test loss ${summary.testLoss.toFixed(4)}`);
      if (o.keepAlive) {
        out.event({ type: 'serving', url: c.url }, () => `training finished; still serving ${c.url} until SIGTERM`);
        await keepServing(c);
      }
      await c.close();
    });
}
