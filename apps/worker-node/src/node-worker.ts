import { io, type Socket } from 'socket.io-client';
import * as tf from '@tensorflow/tfjs';
import { ErrorFeedback, encodeTensors, indicesFromBytes } from '@shardgrad/codec';
import { loadDataset } from '@shardgrad/data/node';
import { roundSeed } from '@shardgrad/trainer';
import {
  PROTOCOL_VERSION,
  PortClient,
  type PortLike,
  type ClientToServerEvents,
  type CompressMode,
  type JoinAck,
  type ResultHeader,
  type RunInfo,
  type ServerToClientEvents,
  type Task,
  type WorkerKind,
} from '@shardgrad/protocol';
import { createGradientEngine, type GradientEngine } from './gradient-engine.ts';
import { calibrate } from './calibrate.ts';
import { PendingResults } from './pending-results.ts';
import { UnmaskedWebSocket } from './unmasked-websocket.ts';
import { CompressionChoice } from './auto-compress.ts';
import type { TensorData } from '@shardgrad/codec';
import type { ThreadBackend } from './thread-pool.ts';
import { CoordinatorUnreachableError, JoinRefusedError, type WorkerEnding } from './worker-ending.ts';

export interface NodeWorkerOptions {
  /** The coordinator to join over the network; or give `port`. */
  url?: string;
  /**
   * A message port to a coordinator in this same process (Coordinator.attachPort), for a worker
   * running as one of its threads: the same protocol, without the network stack.
   */
  port?: PortLike;
  kind?: WorkerKind;
  nickname?: string;
  token?: string;
  /** Test and benchmark hook: stretch every shard's compute time by this factor (≥ 1) to emulate a slow device. */
  slowdown?: number;
  /** Test hook: awaited inside each shard's timed compute, so a test can hold a worker like a frozen tab. */
  stall?: (round: number) => Promise<void> | undefined;
  /** Compute threads (worker_threads, each with its own `threadBackend`); 1 computes in this thread. */
  threads?: number;
  threadBackend?: ThreadBackend;
  /** Speed to announce before any round has measured one (calibration result or a test's choice). */
  samplesPerSecond?: number;
  log?: (event: Record<string, unknown>) => void;
  /**
   * After a network drop, reconnect and resume as the same worker (default true): the resume key
   * gets its identity back and unacknowledged results are sent again. False: a drop ends the worker.
   */
  reconnect?: boolean;
  /** Reconnection attempts before giving up (backoff from 200 ms up to 5 s between them). */
  reconnectAttempts?: number;
  /**
   * How long to keep trying to reach the coordinator at start (default 0: fail at the first error).
   * Compose, Kubernetes and scripts start workers and coordinator in no particular order.
   */
  waitMs?: number;
  /**
   * Test-only hook: rewrites each shard's gradients before they are sent (the attack tests' malicious
   * workers). Real workers never set it.
   */
  tamper?: (grads: TensorData[], task: Task) => TensorData[];
  /**
   * Gradient encoding on the wire (docs/compression.md): none (default, exact), fp16, int8 (both with
   * error feedback), or auto (switches by the measured upload time against compute time).
   */
  compress?: CompressMode;
  /** Bench hook: called with each acknowledged result's size, encoding and upload time. */
  onUpload?: (info: { bytes: number; encoding: string; uploadMs: number; computeMs: number }) => void;
}

export interface NodeWorkerHandle {
  /** Resolves with the reason when the coordinator stops the worker or the connection ends for good. */
  done: Promise<string>;
  /** The same moment as `done`, saying whether the end was clean (worker-ending.ts). */
  ended: Promise<WorkerEnding>;
  /** Leaves now, connected or not: `ended` resolves with cause 'closed'. */
  close(): void;
}

type WorkerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A worker in a Node process: joins, rebuilds the run's model and data locally, then turns each task
 * into a gradient. It uses whatever tfjs backend the process selected beforehand.
 */
export async function startNodeWorker(opts: NodeWorkerOptions): Promise<NodeWorkerHandle> {
  const log = opts.log ?? (() => undefined);
  const reconnect = opts.reconnect ?? true;
  if (!opts.url && !opts.port) throw new Error('a worker needs the coordinator\'s url or a port to it');
  const where = opts.url ?? 'this process';
  // PortClient has the part of socket.io-client's Socket that this function uses.
  const socket: WorkerSocket = opts.port
    ? (new PortClient(opts.port) as unknown as WorkerSocket)
    : io(opts.url, {
        transports: [UnmaskedWebSocket],
        reconnection: reconnect,
        reconnectionAttempts: opts.reconnectAttempts ?? 30,
        reconnectionDelay: 200,
        reconnectionDelayMax: 5000,
      });
  const pending = new PendingResults();
  let resumeKey: string | undefined;
  /** The last join took up the old identity (false: a restarted coordinator that never knew it). */
  let resumed = false;
  let engine: GradientEngine | undefined;
  /** Speed announced in 'ready': the caller's, or the warm-up pass's own measurement. */
  let announced = opts.samplesPerSecond;
  const threads = opts.threads ?? 1;
  let run: RunInfo | undefined;
  let localVersion = -1;
  let queue: Promise<void> = Promise.resolve();
  let finishWith!: (ending: WorkerEnding) => void;
  /** Set before the disconnect it causes, so that disconnect is read as the cause it is. */
  let endingCause: WorkerEnding | undefined;
  const compress = opts.compress ?? 'none';
  const choice = new CompressionChoice(compress);
  /** The residuals of compressed gradients; keyed by run and model, so a new run starts clean. */
  const feedback = new ErrorFeedback();
  const ended = new Promise<WorkerEnding>((r) => (finishWith = r));
  const done = ended.then((e) => e.reason);
  let finished = false;
  /** The first end wins; the engine goes with it. */
  const finish = (ending: WorkerEnding) => {
    if (finished) return;
    finished = true;
    void engine?.close();
    finishWith(ending);
  };

  const join = (): Promise<RunInfo> =>
    new Promise((resolve, reject) => {
      socket.emit(
        'hello',
        { protocol: PROTOCOL_VERSION, kind: opts.kind ?? 'node', backend: threads > 1 ? (opts.threadBackend ?? 'wasm') : tf.getBackend(), nickname: opts.nickname, token: opts.token, threads, resume: resumeKey, ...(compress !== 'none' && { compress }) },
        (ack: JoinAck) => {
          if (!ack.ok) return reject(new JoinRefusedError(ack.reason, ack.message));
          resumeKey = ack.resumeKey;
          resumed = ack.resumed === true;
          resolve(ack.run);
        },
      );
    });

  const prepare = async (info: RunInfo) => {
    const dataset = await loadDataset(info.dataset, info.datasetOptions);
    engine = await createGradientEngine(info, dataset, { threads, threadBackend: opts.threadBackend });
    const measured = await calibrate(engine, { trainSize: dataset.train.n, batch: info.batch, slowdown: opts.slowdown });
    announced = opts.samplesPerSecond ?? measured;
  };

  const handle = async (task: Task) => {
    if (!engine || !run || task.runId !== run.runId) return;
    if (task.weights) {
      await engine.setWeights(task.weights as Uint8Array);
      localVersion = task.version;
    }
    if (localVersion !== task.version) throw new Error(`task needs weights v${task.version}, worker holds v${localVersion}`);
    if (task.unit.kind !== 'samples') throw new Error(`work unit "${task.unit.kind}" is not supported by this worker`);
    const t0 = performance.now();
    await opts.stall?.(task.round);
    const g = await engine.compute(indicesFromBytes(task.unit.indices), task.unit.augmentSeed, roundSeed(run.seed, task.round));
    let computeMs = performance.now() - t0;
    if (opts.slowdown && opts.slowdown > 1) {
      await sleep(computeMs * (opts.slowdown - 1));
      computeMs *= opts.slowdown;
    }
    const encoding = choice.encoding;
    const header: ResultHeader = {
      ...(compress !== 'none' && { encoding }),
      runId: run.runId,
      round: task.round,
      version: task.version,
      shardId: task.shardId,
      count: g.count,
      loss: g.loss,
      metrics: g.metrics,
      schemaHash: run.schemaHash,
      computeMs,
    };
    const all = opts.tamper ? opts.tamper([...g.grads, ...g.state], task) : [...g.grads, ...g.state];
    // Only gradients are compressed: the batch-norm state is averaged as it is, error feedback would not apply.
    const grads = compress === 'none' ? all : [...feedback.compress(`${run.runId}/${run.schemaHash}`, all.slice(0, g.grads.length), encoding, g.count), ...all.slice(g.grads.length)];
    send(pending.add({ header, payload: encodeTensors(grads), rawBytes: 4 * all.reduce((n, t) => n + t.data.length, 0) }));
    log({ type: 'shard', round: task.round, samples: g.count, loss: g.loss, computeMs });
  };

  /** Sends a pending result if connected; without a connection it waits for the resume. */
  const send = (key: string) => {
    const r = pending.resend(run!.runId).find(([k]) => k === key)?.[1];
    if (!r || !socket.connected) return;
    const t0 = performance.now();
    socket.emit('result', r.header, r.payload, (ack) => {
      pending.settle(key);
      const uploadMs = performance.now() - t0;
      choice.record(uploadMs, r.payload.byteLength, r.rawBytes ?? r.payload.byteLength, r.header.computeMs);
      opts.onUpload?.({ bytes: r.payload.byteLength, encoding: r.header.encoding ?? 'none', uploadMs, computeMs: r.header.computeMs });
      if (!ack.ok) log({ type: 'result-refused', round: r.header.round, shardId: r.header.shardId, reason: ack.reason, message: ack.message });
    });
  };

  /** Back after a drop: hello with the resume key, rebuild if the run changed, then resend. */
  const rejoin = async () => {
    try {
      const info = await join();
      if (info.runId !== run?.runId || info.schemaHash !== run?.schemaHash) {
        await engine?.close();
        engine = undefined;
        feedback.reset();
        await prepare(info);
      }
      const sameRun = info.runId === run?.runId;
      run = info;
      localVersion = -1;
      socket.emit('ready', { samplesPerSecond: announced });
      // Results computed for a coordinator that no longer knows this worker would only be refused.
      const again = resumed ? pending.resend(info.runId) : pending.clear();
      log(comebackEvent(info.runId, resumed, sameRun, again.length));
      for (const [k] of again) send(k);
    } catch (e) {
      log({ type: 'error', message: (e as Error).message });
      endingCause = e instanceof JoinRefusedError ? { cause: 'refused', reason: e.message, refusal: e } : { cause: 'failed', reason: `could not rejoin: ${(e as Error).message}` };
      socket.disconnect();
    }
  };

  socket.on('task', (task) => {
    queue = queue.then(() => handle(task)).catch((e: Error) => {
      log({ type: 'error', message: e.message });
      endingCause ??= { cause: 'failed', reason: e.message };
      socket.disconnect();
    });
  });
  socket.on('stop', (reason) => {
    log({ type: 'stopped', reason });
    endingCause = { cause: 'stopped', reason: String(reason) };
    socket.disconnect();
  });
  // The teacher started a new run: the coordinator sends it, then drops every worker; we come back
  // for it (rejoin sees the new run id and builds the new model).
  let newRun = false;
  socket.on('run', () => (newRun = true));
  socket.on('disconnect', (reason) => {
    if (newRun) {
      newRun = false;
      log({ type: 'new-run', reason });
      socket.connect();
      return;
    }
    // A drop of the network (or of the coordinator) is waited out; being told to go, or going, is final.
    if (reconnect && socket.active) {
      log({ type: 'disconnected', reason, pending: pending.size });
      return;
    }
    // A coordinator that shuts down without a stop (SIGTERM mid-run: docker stop, a pod replaced)
    // closes every socket itself, and socket.io does not reconnect after that. The restarted
    // coordinator resumes the run, so wait for it, within the same attempts as a dropped network.
    if (reconnect && reason === 'io server disconnect' && !endingCause && connectedOnce) {
      log({ type: 'disconnected', reason, pending: pending.size });
      socket.connect();
      return;
    }
    // Without a stop, a close or a refusal, the coordinator went away before saying the work is over.
    finish(endingCause ?? { cause: 'lost', reason: `the coordinator closed the connection (${reason}) without saying training finished` });
  });
  let connectedOnce = false;
  socket.io.on('reconnect_failed', () => {
    if (connectedOnce) finish({ cause: 'lost', reason: `lost the coordinator at ${where}: ${opts.reconnectAttempts ?? 30} reconnection attempts failed` });
  });

  /** Disconnecting a socket that is already down fires no 'disconnect' event: end here then. */
  const close = () => {
    endingCause ??= { cause: 'closed', reason: 'closed by its process' };
    socket.disconnect();
    finish(endingCause);
  };

  try {
    await firstConnection(socket, where, reconnect ? (opts.waitMs ?? 0) : 0, log);
    connectedOnce = true;
    run = await join();
    await prepare(run);
  } catch (e) {
    // Nothing else would stop the socket's retries, nor free the engine.
    finished = true;
    socket.disconnect();
    await engine?.close();
    throw e;
  }
  socket.emit('ready', { samplesPerSecond: announced });
  log({ type: 'joined', runId: run.runId, model: run.model, backend: engine!.backend, threads });
  socket.on('connect', () => void rejoin());
  return { done, ended, close };
}

/**
 * Resolves at the first connection. Until `waitMs` has passed, errors are waited out (socket.io's
 * manager retries; once its attempts run out it is started again), with one 'waiting' event.
 */
function firstConnection(socket: WorkerSocket, where: string, waitMs: number, log: (e: Record<string, unknown>) => void): Promise<void> {
  const started = performance.now();
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let lastError = 'no answer';
    const settle = (error?: Error) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      socket.io.off?.('reconnect_failed', onAttemptsSpent);
      if (error) reject(error);
      else resolve();
    };
    const onConnect = () => settle();
    const onError = (e: Error) => {
      lastError = e.message;
      if (waitMs <= 0) return settle(new CoordinatorUnreachableError(where, 0, e.message));
      if (timer) return;
      log({ type: 'waiting', url: where, seconds: Math.round(waitMs / 1000), message: e.message });
      timer = setTimeout(() => settle(new CoordinatorUnreachableError(where, performance.now() - started, lastError)), waitMs);
    };
    const onAttemptsSpent = () => socket.connect();
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
    socket.io.on('reconnect_failed', onAttemptsSpent);
  });
}

/** Back after a drop: the same worker (resumed), the same run joined afresh, or a new run. */
function comebackEvent(runId: string, resumed: boolean, sameRun: boolean, resent: number): Record<string, unknown> {
  if (resumed) return { type: 'resumed', runId, resent };
  // A coordinator restarted with --resume continues the run, but does not know this worker's results.
  if (sameRun) return { type: 'resumed', runId, resent, rejoined: true };
  return { type: 'rejoined', runId, newRun: true };
}
