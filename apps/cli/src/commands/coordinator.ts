import { Command } from 'commander';
import { join } from 'node:path';
import { constants } from 'node:os';
import { SHARE_SPLITS, attachAdaptiveBatch, attachClassroom, createCoordinator, publicOrigin, runSession, trainingOptionsFrom } from '@shardgrad/coordinator';
import { addTrustOptions, applyTrust, coordinatorOptionsFromFlags } from '../trust-options.ts';
import { initNodeBackend } from '@shardgrad/backends/node';
import { OPTIMIZER_NAMES, getModel } from '@shardgrad/models';
import { plannedEpochs } from '../training-display.ts';
import { UsageError, createOutput } from '../output.ts';
import { trainingFromFlags, withTrainingFlags } from '../training-flags.ts';
import { asUsageErrors } from '../usage-errors.ts';
import { refuseFlagsTheCheckpointDecides } from '../resume-flags.ts';
import { httpUrl, learningRate, nonNegativeInt, oneOf, positiveInt, tcpPort } from '../parse.ts';
import { checkAggregationFlags } from '../aggregation-flags.ts';
import { checkBeforeRun } from '../check-before-run.ts';
import { describeEvent } from '../describe-event.ts';
import { testHeadline } from '../summary-text.ts';
import { keepServing } from '../keep-serving.ts';
import { classroomEvent } from '../classroom-event.ts';
import { onePhase } from '../train-pipeline.ts';


export function coordinatorCommand(): Command {
  return withTrainingFlags(addTrustOptions(new Command('coordinator'), 'coordinator')
    .summary('run a coordinator that workers on other machines join')
    .addHelpText(
      'before',
      'Examples:\n  npx shardgrad coordinator --port 8080 --min-workers 2\n  npx shardgrad coordinator --model mnist-mlp --dataset fashion-mnist --host 0.0.0.0\n' +
        '  npx shardgrad coordinator --host 0.0.0.0 --public-url http://class.example:8080   # a classroom: open the printed dashboard link\n' +
        '  MASTER_PORT=29500 WORLD_SIZE=4 npx shardgrad coordinator   # torchrun-style environment\n',
    )
    .option('--model <name>', 'model from the registry', 'mnist-mlp')
    .option('--dataset <name>', "dataset (default: the model's own)")
    .option('--epochs <n>', 'passes over the training set', positiveInt)
    .option('--steps <n>', 'stop after this many steps', positiveInt)
    .option('--batch <n>', 'global mini-batch', positiveInt)
    .option('--lr <rate>', 'learning rate', learningRate)
    .option('--optimizer <name>', `optimizer: ${OPTIMIZER_NAMES.join(', ')}`, oneOf(OPTIMIZER_NAMES))
    .option('--seed <n>', 'seed for initialisation and data order', nonNegativeInt, 1)
    .option('--split <how>', 'how each batch is shared out: speed (by measured speed) or equal (the same share each, so a rerun repeats the run bit for bit)', oneOf(SHARE_SPLITS), 'speed')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 = any free port; or MASTER_PORT)', tcpPort, 8080)
    .option('--min-workers <n>', 'training starts once this many workers are connected (the start only: rounds go on with fewer) (or WORLD_SIZE)', positiveInt, 1)
    .option('--out <dir>', 'where run directories go', 'runs')
    .option('--eval-every <n>', 'a point of the live validation curve every n steps: on the --validation-split rows, or without one on the first 1,000 test rows (labelled test-sample)', positiveInt, 50)
    .option('--checkpoint-every <n>', 'write a checkpoint every n steps', positiveInt)
    .option('--public-url <url>', 'the URL students reach this server at, for the join QR code (default: this machine\'s address)', httpUrl)
    .option('--teacher-token <token>', 'the token for the run controls (default: a new random one, printed once)')
    .option('--join-code <code>', 'the code students type (default: a new random one)')
    .option('--no-dashboard', 'do not serve the dashboard and the run controls')
    .option('--start-paused', "hold the first run before its first round until the teacher presses Resume on the dashboard, so a class can join first and start together")
    .option('--metrics-token <token>', 'require `Authorization: Bearer <token>` on GET /metrics, 16 characters or more and none of the other tokens (default: /metrics is open, like /api/status)')
    .option('--keep-alive', 'after training, keep serving /healthz, /readyz, /api/status and /metrics until SIGTERM (Deployments, compose services); with the dashboard, wait for the teacher\'s next run')
    .option('--adaptive-batch <max>', 'grow the global batch towards the measured gradient noise scale, up to max', positiveInt)
    .option('--json', 'print one JSON object per line')
    .action(async (o, cmd: Command) => {
      refuseFlagsTheCheckpointDecides(cmd, o);
      checkAggregationFlags(o);
      const out = createOutput(Boolean(o.json));
      await initNodeBackend('wasm');
      if (o.startPaused && !o.dashboard) throw new UsageError('--start-paused waits for Resume on the dashboard; it cannot go with --no-dashboard');
      // Prometheus' config is read by more people than the teacher: its token must not also run the class or join it.
      const otherTokens = [o.teacherToken, o.workerToken ?? process.env.SHARDGRAD_WORKER_TOKEN];
      if (o.metricsToken !== undefined && otherTokens.includes(o.metricsToken)) throw new UsageError('--metrics-token must differ from the teacher and worker tokens; make one with `openssl rand -hex 24`');
      const def = getModel(o.model);
      let setup = trainingFromFlags(o, def);
      if (def.pipeline) {
        // One phase per coordinator run, picked by the model's phase option, with that phase's data and settings.
        const one = onePhase(def, setup);
        setup = one.setup;
        o.batch ??= one.phase.batch;
        o.lr ??= one.phase.learningRate;
        o.epochs ??= one.phase.epochs;
      }
      const c = await asUsageErrors(() => createCoordinator({
        ...coordinatorOptionsFromFlags(o, setup),
        host: o.host,
        port: o.port,
        metricsToken: o.metricsToken,
      }));
      await checkBeforeRun(c, setup.options);
      applyTrust(c, o, out, { publicUrl: o.publicUrl });
      c.on('event', (e) => out.event(e as Record<string, unknown>, describeEvent));
      // createCoordinator already listens, so its own 'listening' event went out before anyone heard it;
      // say it again: people need the URL and `launch` reads it from here.
      // Bound to every interface, the listening URL (127.0.0.1) is no address to give remote workers.
      const publicUrl = publicOrigin(c.url, o.host, o.publicUrl);
      out.event(
        { type: 'listening', url: c.url, ...(publicUrl !== new URL(c.url).origin && { publicUrl }), runId: c.runId, model: c.config.def.name, dataset: c.config.datasetName, parameters: c.config.state.parameterCount },
        describeEvent,
      );
      if (o.adaptiveBatch) attachAdaptiveBatch(c, { maxBatch: o.adaptiveBatch });
      const room = o.dashboard ? await attachClassroom(c, { publicUrl: o.publicUrl, teacherToken: o.teacherToken, joinCode: o.joinCode }) : undefined;
      if (room) out.event(classroomEvent(room), describeEvent);
      // Each run (the teacher may start new ones from the dashboard) is recorded in its own runs/<id>/.
      // A class (dashboard + --keep-alive) goes on between runs: the teacher starts the next one, a signal ends it.
      const classroom = Boolean(room && o.keepAlive);
      // SIGTERM (docker stop, a pod replaced) or Ctrl-C: stop at the round boundary, so the run is
      // recorded and checkpointed where it stopped. A class ends this way; any other run exits
      // 128 + the signal, and its workers are not told training finished: a coordinator restarted
      // with --resume takes them back. A second signal quits at once (the default handler again).
      const quit = new Promise<NodeJS.Signals>((r) => (['SIGTERM', 'SIGINT'] as const).forEach((s) => process.once(s, () => r(s))));
      let signalled: NodeJS.Signals | undefined;
      void quit.then((s) => {
        signalled = s;
        c.control.stop();
      });
      // The flags' training options belong to the run they were given for; a run the teacher starts
      // later from the dashboard (any model) gets its model's own defaults.
      let firstRun = true;
      const firstRunOnly = () => (firstRun ? ((firstRun = false), true) : false);
      const options = (cc: typeof c, first: boolean) => (first ? setup.options : trainingOptionsFrom(cc.config.def.defaults.training ?? {}));
      await runSession(c, {
        keepAlive: classroom,
        until: classroom ? quit : undefined,
        plan: (cc) => {
          const first = firstRunOnly();
          return {
            epochs: plannedEpochs(o, cc),
            maxSteps: o.steps,
            minWorkers: o.minWorkers,
            evaluateEachEpoch: true,
            evaluateEvery: o.evalEvery,
            options: options(cc, first),
            startPaused: first && Boolean(o.startPaused),
          };
        },
        record: { root: o.out, checkpointEvery: o.checkpointEvery, plan: { epochs: o.epochs, steps: o.steps, minWorkers: o.minWorkers } },
        allowNewRuns: Boolean(room),
        onRunEnd: (summary, modelDir) =>
          out.event({ ...summary, modelDir }, () => `${testHeadline(summary.testLoss, summary.testMetrics)}; model saved to ${modelDir}`),
      });
      if (signalled && !classroom) {
        process.stderr.write(`shardgrad: stopped by ${signalled} at step ${c.position.step}; resume with --resume ${join(o.out, c.runId)}\n`);
        room?.close();
        await c.close();
        process.exitCode = 128 + constants.signals[signalled];
        return;
      }
      c.broadcastStop('training finished');
      if (o.keepAlive && !classroom) {
        out.event({ type: 'serving', url: c.url }, () => `training finished; still serving ${c.url} until SIGTERM`);
        await keepServing(c);
      }
      room?.close();
      await c.close();
    }));
}

