import { Command } from 'commander';
import { initNodeBackend } from '@shardgrad/backends/node';
import { startNodeWorker, type NodeWorkerHandle, type WorkerEnding } from '@shardgrad/worker-node';
import { COMPRESS_MODES } from '@shardgrad/protocol';
import { createOutput, UsageError } from '../output.ts';
import { workerDisplay } from '../worker-display.ts';
import { coordinatorUrl, oneOf, positiveInt, positiveNumber, waitSeconds } from '../parse.ts';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;

/** torchrun's vocabulary, so manifests written for it carry over. */
function urlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SHARDGRAD_URL) return env.SHARDGRAD_URL;
  if (env.MASTER_ADDR) return `http://${env.MASTER_ADDR}:${env.MASTER_PORT ?? '8080'}`;
  return undefined;
}

/** With several threads each thread runs wasm (or cpu); the native backends cannot live in worker_threads. */
function threadBackendFor(threads: number, backend: (typeof BACKENDS)[number]): 'wasm' | 'cpu' | undefined {
  if (threads > 256) throw new UsageError(`--threads ${threads} is more than 256`);
  if (threads === 1) return undefined;
  if (backend === 'auto' || backend === 'wasm' || backend === 'cpu') return backend === 'cpu' ? 'cpu' : 'wasm';
  throw new UsageError(`--threads ${threads} runs a wasm backend in each thread; --backend ${backend} cannot (tfjs-node already uses every core; use --threads 1)`);
}

export function workerCommand(): Command {
  return new Command('worker')
    .summary('join a coordinator and compute gradients for it')
    .addHelpText('before', 'Examples:\n  npx shardgrad worker --url http://10.0.0.5:8080\n  npx shardgrad worker --url http://10.0.0.5:8080 --compress auto\n  MASTER_ADDR=coord MASTER_PORT=8080 npx shardgrad worker --backend tensorflow\n')
    .option('--url <url>', 'coordinator URL (or SHARDGRAD_URL, or MASTER_ADDR + MASTER_PORT)')
    .option('--backend <name>', `tfjs backend: ${BACKENDS.join(', ')}`, oneOf(BACKENDS), 'auto')
    .option('--nickname <name>', 'name shown on the dashboard')
    .option('--token <token>', 'worker token, if the coordinator requires one (or SHARDGRAD_WORKER_TOKEN)')
    .option('--slowdown <factor>', 'test hook: stretch compute time by this factor to emulate a slow device', positiveNumber)
    .option('--threads <n>', 'compute threads: worker_threads with a wasm backend each, one core each', positiveInt, 1)
    .option('--compress <mode>', `gradient encoding on the wire: ${COMPRESS_MODES.join(', ')} (fp16/int8 with error feedback; auto compresses when uploads cost over 10% of compute; docs/compression.md)`, oneOf(COMPRESS_MODES), 'none')
    .option('--wait-timeout <s>', 'how long to keep trying to reach the coordinator at start (workers may start first)', waitSeconds, 120)
    .option('--exit-with-parent', 'leave when the process that started this worker ends (train, sweep and launch start their local workers so)')
    .option('--json', 'print one JSON object per line')
    .action(async (o) => {
      const out = createOutput(Boolean(o.json));
      const url = o.url ?? urlFromEnv(process.env);
      if (!url) throw new UsageError('no coordinator given: pass --url, or set SHARDGRAD_URL or MASTER_ADDR');
      try {
        coordinatorUrl(url);
      } catch (e) {
        throw new UsageError(`${o.url ? '--url' : 'the coordinator URL from SHARDGRAD_URL or MASTER_ADDR'}: ${(e as Error).message}`);
      }
      // Installed before anything slow (the backend's start takes seconds on a busy machine): a
      // signal, or a launcher that dies, while this worker starts or waits must end it too.
      let worker: NodeWorkerHandle | undefined;
      let signalExit: number | undefined;
      const stop = (exitCode: number) => {
        signalExit ??= exitCode;
        if (!worker) process.exit(exitCode);
        worker.close();
      };
      process.once('SIGTERM', () => stop(143));
      process.once('SIGINT', () => stop(130));
      if (o.exitWithParent) whenParentExits(() => stop(0));
      const threadBackend = threadBackendFor(o.threads, o.backend);
      // With threads this one computes a slice too (gradient-engine.ts), on the threads' backend.
      const own = await initNodeBackend(threadBackend ?? o.backend);
      const backend = threadBackend
        ? { backend: threadBackend, detail: `${o.threads} compute threads (this one and ${o.threads - 1} worker_threads), one ${threadBackend} backend each` }
        : own;
      out.event({ type: 'backend', ...backend }, () => `backend: ${backend.backend} (${backend.detail})`);
      const display = workerDisplay(out);
      const w = await startNodeWorker({
        url,
        // Under a launcher or an Indexed Job, the rank tells workers apart on the dashboard.
        nickname: o.nickname ?? (process.env.RANK ? `rank-${process.env.RANK}` : undefined),
        token: o.token ?? process.env.SHARDGRAD_WORKER_TOKEN,
        slowdown: o.slowdown,
        threads: o.threads,
        threadBackend,
        compress: o.compress,
        waitMs: o.waitTimeout * 1000,
        log: display.log,
      });
      worker = w;
      const ending = await w.ended;
      display.progress.stop();
      const exitCode = signalExit ?? exitCodeOf(ending);
      out.event({ type: 'worker-done', cause: ending.cause, reason: ending.reason, exitCode }, () => describeEnding(ending));
      process.exit(exitCode);
    });
}

/** 0 only where the work is over or this process asked to leave: supervisors restart or fail on the rest. */
function exitCodeOf(ending: WorkerEnding): number {
  switch (ending.cause) {
    case 'stopped':
    case 'closed':
      return 0;
    case 'refused':
      return ending.refusal.userMustFix ? 2 : 1;
    case 'lost':
    case 'failed':
      return 1;
  }
}

function describeEnding(ending: WorkerEnding): string {
  switch (ending.cause) {
    case 'stopped':
      return `worker finished: ${ending.reason}`;
    case 'closed':
      return 'worker left: closed by a signal or its parent';
    default:
      return `worker failed: ${ending.reason}`;
  }
}

/**
 * A parent killed outright (SIGKILL, a crash) cannot stop its children, and a worker whose
 * coordinator is gone retries forever: the orphan would hold a core until someone finds it. Linux
 * re-parents an orphan, so a changed ppid means the parent is gone.
 */
function whenParentExits(leave: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.stderr.write('shardgrad: the process that started this worker has ended; leaving\n');
    leave();
  }, 1000);
  timer.unref();
}
