import { Command } from 'commander';
import { join } from 'node:path';
import { createCoordinator, runTraining, saveModelDir } from '@shardgrad/coordinator';
import { initNodeBackend } from '@shardgrad/backends/node';
import { predictProbabilities } from '@shardgrad/trainer';
import { createOutput } from '../output.ts';
import { nonNegativeInt, oneOf, positiveInt, positiveNumber } from '../parse.ts';
import { spawnLocalWorkers } from '../local-workers.ts';
import { describeEvent } from '../describe-event.ts';
import { formatPrediction } from '../format-prediction.ts';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;
const OPTIMIZERS = ['sgd', 'momentum', 'rmsprop', 'adam'] as const;

export function trainCommand(): Command {
  return new Command('train')
    .summary('train a model with a coordinator and local worker processes')
    .description(
      'Starts a coordinator and N worker processes on this machine, trains, then prints the test loss,\n' +
        'the test accuracy and a few predictions. The model is saved under runs/<id>/model.',
    )
    .addHelpText(
      'before',
      'Examples:\n  npx shardgrad train\n  npx shardgrad train --model mnist-mlp --workers 2 --epochs 1 --batch 64\n  npx shardgrad train --dataset fashion-mnist --json\n',
    )
    .option('--model <name>', 'model from the registry (see `shardgrad models`)', 'mnist-mlp')
    .option('--dataset <name>', 'dataset (default: the model\'s own)')
    .option('--workers <n>', 'local worker processes', positiveInt, 2)
    .option('--epochs <n>', 'passes over the training set', positiveInt)
    .option('--steps <n>', 'stop after this many steps', positiveInt)
    .option('--batch <n>', 'global mini-batch, split across workers each round', positiveInt)
    .option('--lr <rate>', 'learning rate', positiveNumber)
    .option('--optimizer <name>', `optimizer: ${OPTIMIZERS.join(', ')}`, oneOf(OPTIMIZERS))
    .option('--seed <n>', 'seed for initialisation and data order', nonNegativeInt, 1)
    .option('--backend <name>', `worker backend: ${BACKENDS.join(', ')}`, oneOf(BACKENDS), 'auto')
    .option('--predictions <n>', 'test predictions to print at the end', nonNegativeInt, 5)
    .option('--out <dir>', 'where run directories go', 'runs')
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
      });
      c.on('event', (e) => out.event(e as Record<string, unknown>, describeEvent));
      const workers = spawnLocalWorkers(o.workers, c.url, { backend: o.backend, json: Boolean(o.json) });
      try {
        const summary = await runTraining(c, {
          epochs: o.epochs ?? c.config.def.defaults.epochs,
          maxSteps: o.steps,
          minWorkers: o.workers,
        });
        c.broadcastStop('training finished');
        const dir = join(o.out, c.runId, 'model');
        const ds = c.config.dataset;
        await saveModelDir(c.config.state.model, dir, {
          model: c.config.def.name,
          dataset: c.config.datasetName,
          inputShape: ds.inputShape,
          labelSize: ds.labelSize,
          numClasses: ds.numClasses,
          classNames: ds.classNames,
          runId: c.runId,
          step: summary.steps,
          metrics: summary.testMetrics,
        });
        const xs = ds.inputShape.reduce((a, b) => a * b, 1);
        const k = Math.min(o.predictions, ds.test.n);
        const probs = predictProbabilities(c.config.state.model, ds.inputShape, ds.test.x.subarray(0, k * xs));
        probs.forEach((p, i) => {
          const pred = formatPrediction(p, ds.classNames);
          out.event(
            { type: 'prediction', index: i, label: ds.test.y[i], predicted: pred.label, confidence: pred.confidence },
            () => `test digit #${i} (true ${ds.classNames?.[ds.test.y[i]!] ?? ds.test.y[i]}): ${pred.text}`,
          );
        });
        out.event({ ...summary, modelDir: dir }, (e) =>
          `\ntest accuracy ${(summary.testAccuracy * 100).toFixed(2)}%  test loss ${summary.testLoss.toFixed(4)}  ` +
          `${summary.steps} steps in ${summary.seconds.toFixed(1)} s (${Math.round(summary.samplesPerSecond)} samples/s) ` +
          `on ${summary.workers} workers\nmodel saved to ${String(e.modelDir)}`,
        );
      } finally {
        await workers.stop();
        await c.close();
      }
    });
}
