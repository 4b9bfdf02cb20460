import { Command } from 'commander';
import { SHARE_SPLITS, attachAdaptiveBatch, attachClassroom, createCoordinator, createTeacherToken, runSession } from '@shardgrad/coordinator';
import { addTrustOptions, applyTrust, coordinatorOptionsFromFlags } from '../trust-options.ts';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createOutput } from '../output.ts';
import { learningRate, nonNegativeInt, oneOf, positiveInt } from '../parse.ts';
import { checkAggregationFlags } from '../aggregation-flags.ts';
import { checkBeforeRun } from '../check-before-run.ts';
import { LOCAL_WORKER_KINDS, startLocalWorkers } from '../local-workers.ts';
import { MAX_LOCAL_WORKERS, localWorkerCount } from '../local-worker-count.ts';
import { plannedEpochs, plannedSteps, showTraining } from '../training-display.ts';
import { classroomEvent } from '../classroom-event.ts';
import { describeEvent } from '../describe-event.ts';
import { printTestPredictions } from '../format-prediction.ts';
import { OPTIMIZER_NAMES, getModel } from '@shardgrad/models';
import { trainingFromFlags, withTrainingFlags } from '../training-flags.ts';
import { asUsageErrors } from '../usage-errors.ts';
import { refuseFlagsTheCheckpointDecides } from '../resume-flags.ts';
import { trainPipeline } from '../train-pipeline.ts';
import { dirname, join } from 'node:path';
import { constants } from 'node:os';
import { writeModelArtifacts } from '../model-artifacts.ts';
import { writeSnapshots } from '../model-snapshots.ts';
import { summaryText } from '../summary-text.ts';
import { LearningCurve } from '../learning-curve.ts';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;

export function trainCommand(): Command {
  return withTrainingFlags(addTrustOptions(new Command('train'), 'train')
    .summary('train a model with a coordinator and local worker processes')
    .description(
      'Starts a coordinator and N worker processes on this machine, trains, then prints the test loss, ' +
        'the test accuracy and a few predictions. Everything lands in runs/<id>/: run.json, metrics.jsonl, ' +
        'metrics.csv, TensorBoard event files, checkpoints and the final model (runs/<id>/model). ' +
        'While it trains, the live dashboard URL is printed, with the teacher token that unlocks its controls.',
    )
    .addHelpText(
      'before',
      'Examples:\n  npx shardgrad train\n  npx shardgrad train --model mnist-mlp --workers 2 --epochs 1 --batch 64\n  npx shardgrad train --dataset fashion-mnist --json\n  npx shardgrad train --steps 200 --checkpoint-every 50 --config shardgrad.yaml\n  tensorboard --logdir runs            # the curves, once a run has started\n',
    )
    .option('--model <name>', 'model from the registry (see `shardgrad models`)', 'mnist-mlp')
    .option('--dataset <name>', 'dataset (default: the model\'s own)')
    .option('--workers <n>', `local workers (at most ${MAX_LOCAL_WORKERS}; more join a \`coordinator\` from other machines)`, localWorkerCount, 2)
    .option('--local-workers <how>', 'how the local workers run: processes (joined over sockets, as remote workers are) or threads of this process (joined over message ports: less work per round)', oneOf(LOCAL_WORKER_KINDS), 'processes')
    .option('--epochs <n>', 'passes over the training set', positiveInt)
    .option('--steps <n>', 'stop after this many steps', positiveInt)
    .option('--batch <n>', 'global mini-batch, split across workers each round', positiveInt)
    .option('--lr <rate>', 'learning rate', learningRate)
    .option('--optimizer <name>', `optimizer: ${OPTIMIZER_NAMES.join(', ')}`, oneOf(OPTIMIZER_NAMES))
    .option('--seed <n>', 'seed for initialisation and data order', nonNegativeInt, 1)
    .option('--split <how>', 'how each batch is shared out: speed (by measured speed) or equal (the same share each, so a rerun repeats the run bit for bit)', oneOf(SHARE_SPLITS), 'speed')
    .option('--backend <name>', `worker backend: ${BACKENDS.join(', ')}`, oneOf(BACKENDS), 'auto')
    .option('--predictions <n>', 'test predictions to print at the end', nonNegativeInt, 5)
    .option('--out <dir>', 'where run directories go', 'runs')
    .option('--eval-every <n>', 'a point of the live validation curve every n steps: on the --validation-split rows, or without one on the first 1,000 test rows (labelled test-sample)', positiveInt, 50)
    .option('--checkpoint-every <n>', 'write a checkpoint every n steps', positiveInt)
    .option('--no-dashboard', 'do not serve the live dashboard')
    .option('--adaptive-batch <max>', 'grow the global batch towards the measured gradient noise scale, up to max', positiveInt)
    .option('--json', 'print one JSON object per line')
    .action(async (o, cmd: Command) => {
      refuseFlagsTheCheckpointDecides(cmd, o, { refuseFinishedPlan: true });
      checkAggregationFlags(o);
      const out = createOutput(Boolean(o.json));
      await initNodeBackend('wasm');
      const setup = trainingFromFlags(o, getModel(o.model));
      if (getModel(o.model).pipeline) {
        await asUsageErrors(() => trainPipeline(o, setup, out));
        return;
      }
      const c = await asUsageErrors(() => createCoordinator(coordinatorOptionsFromFlags(o, setup)));
      await checkBeforeRun(c, setup.options);
      // The local workers present the worker token through their environment; nobody else needs it.
      process.env.SHARDGRAD_WORKER_TOKEN ||= createTeacherToken();
      applyTrust(c, o, out, { workers: o.workers });
      if (o.adaptiveBatch) attachAdaptiveBatch(c, { maxBatch: o.adaptiveBatch });
      const room = o.dashboard ? await attachClassroom(c) : undefined;
      if (room) out.event(classroomEvent(room), describeEvent);
      const epochs = plannedEpochs(o, c);
      const display = showTraining(c, out, plannedSteps(c, epochs, o.steps));
      // Pictures during training (the GAN's sample grids); listed with the other artifacts at the end.
      const snapshots = writeSnapshots(c, o.out);
      // RL's figure is the return by step, drawn from the periodic evaluations (learning-curve.ts).
      const curveSpec = c.config.def.learningCurve;
      const curve = curveSpec ? new LearningCurve(curveSpec) : undefined;
      if (curve) c.on('event', (e) => curve.observe(e));
      const workers = startLocalWorkers(o.workers, c, { backend: o.backend, json: Boolean(o.json), as: o.localWorkers });
      // Ctrl-C asks for a stop at the next round boundary, so the run directory and the model are still
      // written; a second Ctrl-C (the default handler again) quits at once. The exit status is still
      // 130, as for any command a Ctrl-C ended, so a script can tell a cut-short run from a finished one.
      let interrupted: NodeJS.Signals | undefined;
      const interrupt = (signal: NodeJS.Signals) => {
        interrupted = signal;
        c.control.stop();
      };
      // SIGTERM too: `docker stop`, a scheduler's time limit and `timeout` send it, and the run
      // deserves the same save as after Ctrl-C.
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      // Worker processes that all die (a backend that cannot load, say) leave nobody to train: say so
      // instead of waiting for workers forever. They print their own reasons on stderr.
      let trained = false;
      const workersGone = new Promise<never>((_, reject) => {
        void workers.allExited?.then(() => trained || reject(new Error(`every local worker exited before training finished (their errors are above)`)));
      });
      workersGone.catch(() => undefined);
      try {
        let dir = '';
        const session = runSession(c, {
          plan: () => ({ epochs, maxSteps: o.steps, minWorkers: o.workers, evaluateEvery: o.evalEvery, options: setup.options }),
          record: { root: o.out, checkpointEvery: o.checkpointEvery, plan: { epochs, steps: o.steps, workers: o.workers, workerBackend: o.backend } },
          onRunEnd: (_s, modelDir) => void (dir = modelDir ?? ''),
        });
        const [summary] = await Promise.race([session, workersGone]);
        trained = true;
        if (!summary) throw new Error('training ended without a summary');
        display.stop();
        c.broadcastStop('training finished');
        const ds = c.config.dataset;
        printTestPredictions(c, out, o.predictions);
        const ctx = { model: c.config.state.model, dataset: ds, config: c.config.modelConfig ?? {} };
        const runDir = dir ? dirname(dir) : join(o.out, c.runId);
        const artifacts = [...(await snapshots.flush()), ...(await writeModelArtifacts(c.config.def, ctx, runDir))];
        if (curve) artifacts.push(...(await curve.write(runDir)));
        for (const a of artifacts) out.event({ type: 'artifact', ...a }, () => `wrote ${a.path}: ${a.description}`);
        out.event({ ...summary, modelDir: dir, artifacts: artifacts.map((a) => a.path) }, (e) => `${summaryText(summary)}\nmodel saved to ${String(e.modelDir)}`);
        if (interrupted) {
          const how = interrupted === 'SIGINT' ? 'Ctrl-C' : interrupted;
          process.stderr.write(`shardgrad: interrupted (${how}) after ${summary.steps} steps; the model and checkpoint so far are saved\n`);
          process.exitCode = 128 + constants.signals[interrupted];
        }
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
        snapshots.stop();
        display.stop();
        room?.close();
        await workers.stop();
        await c.close();
      }
    }));
}
