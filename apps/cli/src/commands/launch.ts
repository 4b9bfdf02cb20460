import { Command, InvalidArgumentError } from 'commander';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { createOutput, UsageError, type Output } from '../output.ts';
import { learningRate, nonNegativeInt, oneOf, positiveInt, positiveWaitSeconds, tcpPort } from '../parse.ts';
import { MAX_LOCAL_WORKERS, localWorkerCount } from '../local-worker-count.ts';
import { trainingFlagArgs, withTrainingFlags } from '../training-flags.ts';
import { startCoordinatorChild } from '../launch/coordinator-child.ts';
import { joinTarget, waitUntilReady } from '../launch/join-target.ts';
import { exitStatus } from '../launch/supervisor.ts';
import { startWorkerGroup, type WorkerGroup } from '../launch/worker-group.ts';
import { rankRangeWarning, type RankPlan } from '../launch/worker-env.ts';
import { OPTIMIZER_NAMES } from '@shardgrad/models';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;
/** Flags that configure the run; with --join the coordinator elsewhere has already decided them. */
const COORDINATOR_FLAGS = ['model', 'dataset', 'epochs', 'steps', 'batch', 'lr', 'optimizer', 'seed', 'out'] as const;
/** Workers get this long to leave on their own after the coordinator ends, before SIGTERM and then SIGKILL. */
const WORKER_GRACE_MS = 10_000;
/** How long the coordinator's summary may trail its workers' clean exits at the end of a run. */
const SUMMARY_GRACE_MS = 5_000;

/** A default read from the environment, checked with the flag's own parser so a bad value is named. */
function fromEnv<T>(name: string, parse: (v: string) => T, fallback: T): T {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  try {
    return parse(v);
  } catch (e) {
    throw new UsageError(`environment variable ${name}: ${(e as InvalidArgumentError).message}`);
  }
}

export function launchCommand(): Command {
  return withTrainingFlags(new Command('launch')
    .summary('start a coordinator and N worker processes on this machine (or N workers that join one elsewhere)')
    .description(
      'Like torchrun: starts `shardgrad coordinator` and --nproc-per-node `shardgrad worker` processes, passes them ' +
        "RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT, restarts a crashed worker up to --max-restarts times, " +
        "forwards SIGINT/SIGTERM to all of them and exits with the coordinator's status (128 + signal if a signal ended it). " +
        'With --join it starts no coordinator: its workers join one elsewhere (a container or pod in a fleet), once its ' +
        '/readyz answers; RANK = NODE_RANK × nproc-per-node + LOCAL_RANK.',
    )
    .addHelpText(
      'before',
      'Examples:\n  npx shardgrad launch --nproc-per-node 4 --model mnist-mlp --batch 256\n' +
        '  npx shardgrad launch --nproc-per-node 2 --threads 2 --steps 200 --max-restarts 5\n' +
        '  MASTER_ADDR=coordinator MASTER_PORT=8080 NODE_RANK=3 npx shardgrad launch --join --nproc-per-node 4 --pin-gpus\n',
    )
    .requiredOption('--nproc-per-node <n>', `worker processes to start on this machine (at most ${MAX_LOCAL_WORKERS}, and as many as its memory holds)`, localWorkerCount)
    .option('--threads <n>', 'passed to each worker as --threads', positiveInt)
    .option('--backend <name>', `worker backend: ${BACKENDS.join(', ')} (the worker's default when not given)`, oneOf(BACKENDS))
    .option('--max-restarts <n>', 'restarts allowed per worker after a crash (not after a clean exit or a usage error)', nonNegativeInt, 3)
    .option('--pin-gpus', 'one GPU per worker: CUDA_VISIBLE_DEVICES set to the local rank’s device')
    .option('--model <name>', 'model from the registry (coordinator)')
    .option('--dataset <name>', "dataset (coordinator; default: the model's own)")
    .option('--epochs <n>', 'passes over the training set (coordinator)', positiveInt)
    .option('--steps <n>', 'stop after this many steps (coordinator)', positiveInt)
    .option('--batch <n>', 'global mini-batch (coordinator)', positiveInt)
    .option('--lr <rate>', 'learning rate (coordinator)', learningRate)
    .option('--optimizer <name>', `optimizer (coordinator): ${OPTIMIZER_NAMES.join(', ')}`, oneOf(OPTIMIZER_NAMES))
    .option('--seed <n>', 'seed for initialisation and data order (coordinator)', nonNegativeInt)
    .option('--out <dir>', 'where the run directory goes (coordinator; default runs)')
    .option('--host <addr>', 'address the coordinator listens on', '127.0.0.1')
    .option('--port <n>', 'coordinator port (default MASTER_PORT, else any free port)', tcpPort)
    .option('--join [url]', 'start no coordinator; join this one (default SHARDGRAD_URL, or MASTER_ADDR + MASTER_PORT)')
    .option('--node-rank <n>', 'with --join: this machine’s index in the fleet (default NODE_RANK, else 0)', nonNegativeInt)
    .option('--world-size <n>', 'with --join: worker processes in the whole fleet (default WORLD_SIZE, else nproc-per-node)', positiveInt)
    .option('--wait-timeout <s>', 'with --join: how long to wait for the coordinator to be ready', positiveWaitSeconds, 600)
    .option('--json', 'print one JSON object per line')
    .action(async (o) => {
      const out = createOutput(Boolean(o.json));
      const workerArgs = [...(o.backend ? ['--backend', o.backend] : []), ...(o.threads ? ['--threads', String(o.threads)] : [])];
      const status = o.join ? await runJoined(o, workerArgs, out) : await runLocal(o, workerArgs, out);
      out.event({ type: 'launch-exit', status }, () => null);
      process.exit(status);
    }));
}

type LaunchOptions = Record<string, unknown> & { nprocPerNode: number; maxRestarts: number; host: string; waitTimeout: number };

/** Signals the launcher passes on; a second one means "now": SIGKILL to everything still running. */
function onStopSignals(forward: (s: NodeJS.Signals) => void, kill: () => void): { received?: NodeJS.Signals } {
  const state: { received?: NodeJS.Signals } = {};
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(s, () => {
      if (state.received) return kill();
      state.received = s;
      forward(s);
    });
  }
  return state;
}

async function stopWorkers(group: WorkerGroup, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  group.stop(signal);
  const t = setTimeout(() => group.signal('SIGKILL'), WORKER_GRACE_MS);
  await group.done;
  clearTimeout(t);
}

async function runLocal(o: LaunchOptions, workerArgs: string[], out: Output): Promise<number> {
  if (o.nodeRank !== undefined || o.worldSize !== undefined) throw new UsageError('--node-rank and --world-size belong with --join');
  const n = o.nprocPerNode;
  const port = (o.port as number | undefined) ?? fromEnv('MASTER_PORT', tcpPort, 0);
  const args = ['--host', o.host, '--port', String(port), '--min-workers', String(n)];
  for (const f of COORDINATOR_FLAGS) if (o[f] !== undefined) args.push(`--${f}`, String(o[f]));
  args.push(...trainingFlagArgs(o));
  // The coordinator admits only workers that present its worker token: share one with ours.
  const env = { ...process.env, SHARDGRAD_WORKER_TOKEN: process.env.SHARDGRAD_WORKER_TOKEN || randomBytes(24).toString('base64url') };
  const coord = startCoordinatorChild(args, out, env);
  out.event({ type: 'launch-coordinator', pid: coord.child.pid ?? null, args }, () => null);
  let group: WorkerGroup | undefined;
  const signals = onStopSignals(
    (s) => {
      coord.child.kill(s);
      group?.stop(s);
    },
    () => {
      coord.child.kill('SIGKILL');
      group?.signal('SIGKILL');
    },
  );
  let url: URL;
  try {
    url = await coord.listening;
  } catch {
    return exitStatus(await coord.exit);
  }
  const plan: RankPlan = { nproc: n, nodeRank: 0, worldSize: n, url, pinGpus: Boolean(o.pinGpus) };
  group = startWorkerGroup({ plan, maxRestarts: o.maxRestarts, workerArgs, out, env });
  if (signals.received) group.stop(signals.received);
  const first = await Promise.race([
    coord.exit.then(() => ({ kind: 'coordinator-exit' as const })),
    group.firstFailure.then((rank) => ({ kind: 'worker-failed' as const, rank })),
    group.done.then(() => ({ kind: 'workers-gone' as const })),
  ]);
  // Either way the coordinator would wait forever for workers that will not come: end the run, say why.
  const giveUp = async (e: Record<string, unknown>, text: string): Promise<number> => {
    out.event({ type: 'launch-failed', ...e }, () => text);
    coord.child.kill('SIGTERM');
    await Promise.all([coord.exit, stopWorkers(group)]);
    return 1;
  };
  if (!signals.received && first.kind === 'worker-failed') {
    return giveUp({ rank: first.rank, maxRestarts: o.maxRestarts }, `worker rank ${first.rank} failed after ${o.maxRestarts} restarts; stopping the run`);
  }
  // Workers leave cleanly when the coordinator ends the run; before its summary, that is a failure
  // (they were disconnected and exited 0), not the end of training. The summary line and the
  // workers' exits travel different paths, so the summary gets a moment to arrive.
  if (!signals.received && first.kind === 'workers-gone' && !coord.finished()) {
    await Promise.race([coord.summary, coord.exit, new Promise((r) => setTimeout(r, SUMMARY_GRACE_MS))]);
    if (!coord.finished()) return giveUp({ reason: 'every worker ended before training finished' }, 'every worker ended before training finished; stopping the run');
  }
  const exit = await coord.exit;
  out.event({ type: 'launch-coordinator-exit', code: exit.code, signal: exit.signal }, () => null);
  await stopWorkers(group);
  return exitStatus(exit);
}

async function runJoined(o: LaunchOptions, workerArgs: string[], out: Output): Promise<number> {
  const misplaced = [...COORDINATOR_FLAGS.filter((f) => o[f] !== undefined).map((f) => `--${f}`), ...trainingFlagArgs(o).filter((a) => a.startsWith('--'))];
  if (misplaced.length > 0) {
    throw new UsageError(`${[...new Set(misplaced)].join(', ')}: with --join the coordinator already decided the run; pass these to it`);
  }
  const n = o.nprocPerNode;
  const url = joinTarget(o.join as string | true, process.env);
  const plan: RankPlan = {
    nproc: n,
    nodeRank: (o.nodeRank as number | undefined) ?? fromEnv('NODE_RANK', nonNegativeInt, 0),
    worldSize: (o.worldSize as number | undefined) ?? fromEnv('WORLD_SIZE', positiveInt, n),
    url,
    pinGpus: Boolean(o.pinGpus),
  };
  const warning = rankRangeWarning(plan);
  if (warning) out.event({ type: 'launch-warning', message: warning }, () => `warning: ${warning}`);
  let group: WorkerGroup | undefined;
  const signals = onStopSignals(
    (s) => (group ? group.stop(s) : process.exit(128 + constants.signals[s])),
    () => group?.signal('SIGKILL'),
  );
  let waits = 0;
  await waitUntilReady(url, o.waitTimeout, (why) =>
    out.event({ type: 'launch-waiting', reason: why }, () => (waits++ % 30 === 0 ? `waiting for the coordinator: ${why}` : null)),
  );
  group = startWorkerGroup({ plan, maxRestarts: o.maxRestarts, workerArgs, out });
  if (signals.received) group.stop(signals.received);
  const { failed } = await group.done;
  if (signals.received) return 128 + constants.signals[signals.received];
  if (failed.length > 0) {
    out.event({ type: 'launch-failed', ranks: failed, maxRestarts: o.maxRestarts }, () => `worker ranks ${failed.join(', ')} failed after ${o.maxRestarts} restarts`);
    return 1;
  }
  return 0;
}
