import { io, type Socket } from 'socket.io-client';
import * as tf from '@tensorflow/tfjs';
import { encodeTensors, indicesFromBytes } from '@shardgrad/codec';
import { loadDataset } from '@shardgrad/data/node';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type JoinAck,
  type ResultHeader,
  type RunInfo,
  type ServerToClientEvents,
  type Task,
  type WorkerKind,
} from '@shardgrad/protocol';
import { createGradientEngine, type GradientEngine } from './gradient-engine.ts';
import type { ThreadBackend } from './thread-pool.ts';

export interface NodeWorkerOptions {
  url: string;
  kind?: WorkerKind;
  nickname?: string;
  token?: string;
  /** Test and benchmark hook: stretch every shard's compute time by this factor (≥ 1) to emulate a slow device. */
  slowdown?: number;
  /** Compute threads (worker_threads, each with its own `threadBackend`); 1 computes in this thread. */
  threads?: number;
  threadBackend?: ThreadBackend;
  log?: (event: Record<string, unknown>) => void;
}

export interface NodeWorkerHandle {
  /** Resolves with the reason when the coordinator stops the worker or the connection ends for good. */
  done: Promise<string>;
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
  const socket: WorkerSocket = io(opts.url, { transports: ['websocket'], reconnection: false });
  let engine: GradientEngine | undefined;
  const threads = opts.threads ?? 1;
  let run: RunInfo | undefined;
  let localVersion = -1;
  let queue: Promise<void> = Promise.resolve();
  let finish!: (reason: string) => void;
  const done = new Promise<string>((r) => (finish = r));

  const join = (): Promise<RunInfo> =>
    new Promise((resolve, reject) => {
      socket.emit(
        'hello',
        { protocol: PROTOCOL_VERSION, kind: opts.kind ?? 'node', backend: threads > 1 ? (opts.threadBackend ?? 'wasm') : tf.getBackend(), nickname: opts.nickname, token: opts.token, threads },
        (ack: JoinAck) => (ack.ok ? resolve(ack.run) : reject(new Error(`coordinator refused to join: ${ack.message}`))),
      );
    });

  const prepare = async (info: RunInfo) => {
    const dataset = await loadDataset(info.dataset, info.datasetOptions);
    engine = await createGradientEngine(info, dataset, { threads, threadBackend: opts.threadBackend });
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
    const g = await engine.compute(indicesFromBytes(task.unit.indices));
    let computeMs = performance.now() - t0;
    if (opts.slowdown && opts.slowdown > 1) {
      await sleep(computeMs * (opts.slowdown - 1));
      computeMs *= opts.slowdown;
    }
    const header: ResultHeader = {
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
    socket.emit('result', header, encodeTensors([...g.grads, ...g.state]), (ack) => {
      if (!ack.ok) log({ type: 'result-refused', round: task.round, shardId: task.shardId, reason: ack.reason, message: ack.message });
    });
    log({ type: 'shard', round: task.round, samples: g.count, loss: g.loss, computeMs });
  };

  socket.on('task', (task) => {
    queue = queue.then(() => handle(task)).catch((e: Error) => {
      log({ type: 'error', message: e.message });
      socket.disconnect();
    });
  });
  socket.on('stop', (reason) => {
    log({ type: 'stopped', reason });
    socket.disconnect();
  });
  socket.on('disconnect', (reason) => {
    void engine?.close();
    finish(String(reason));
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(new Error(`cannot reach coordinator at ${opts.url}: ${e.message}`)));
  });
  run = await join();
  await prepare(run);
  socket.emit('ready', {});
  log({ type: 'joined', runId: run.runId, model: run.model, backend: engine!.backend, threads });
  return { done, close: () => socket.disconnect() };
}
