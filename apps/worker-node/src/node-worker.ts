import { io, type Socket } from 'socket.io-client';
import * as tf from '@tensorflow/tfjs';
import { decodeTensors, encodeTensors, indicesFromBytes, schemaHash } from '@shardgrad/codec';
import { loadDataset } from '@shardgrad/data/node';
import { getModel } from '@shardgrad/models';
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
import { ShardComputer, allSpecs } from '@shardgrad/trainer';

export interface NodeWorkerOptions {
  url: string;
  kind?: WorkerKind;
  nickname?: string;
  token?: string;
  /** Test and benchmark hook: stretch every shard's compute time by this factor (≥ 1) to emulate a slow device. */
  slowdown?: number;
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
  let computer: ShardComputer | undefined;
  let run: RunInfo | undefined;
  let localVersion = -1;
  let queue: Promise<void> = Promise.resolve();
  let finish!: (reason: string) => void;
  const done = new Promise<string>((r) => (finish = r));

  const join = (): Promise<RunInfo> =>
    new Promise((resolve, reject) => {
      socket.emit(
        'hello',
        { protocol: PROTOCOL_VERSION, kind: opts.kind ?? 'node', backend: tf.getBackend(), nickname: opts.nickname, token: opts.token },
        (ack: JoinAck) => (ack.ok ? resolve(ack.run) : reject(new Error(`coordinator refused to join: ${ack.message}`))),
      );
    });

  const prepare = async (info: RunInfo) => {
    const def = getModel(info.model);
    const dataset = await loadDataset(info.dataset, info.datasetOptions);
    const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: info.seed, config: info.modelConfig });
    const hash = schemaHash(allSpecs(model));
    if (hash !== info.schemaHash) throw new Error(`local model schema ${hash} differs from the run's ${info.schemaHash}: versions differ?`);
    computer = new ShardComputer(def, dataset, model);
  };

  const handle = async (task: Task) => {
    if (!computer || !run || task.runId !== run.runId) return;
    if (task.weights) {
      computer.setWeights(decodeTensors(task.weights as Uint8Array));
      localVersion = task.version;
    }
    if (localVersion !== task.version) throw new Error(`task needs weights v${task.version}, worker holds v${localVersion}`);
    if (task.unit.kind !== 'samples') throw new Error(`work unit "${task.unit.kind}" is not supported by this worker`);
    const t0 = performance.now();
    const g = computer.compute(indicesFromBytes(task.unit.indices));
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
  socket.on('disconnect', (reason) => finish(String(reason)));

  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(new Error(`cannot reach coordinator at ${opts.url}: ${e.message}`)));
  });
  run = await join();
  await prepare(run);
  socket.emit('ready', {});
  log({ type: 'joined', runId: run.runId, model: run.model, backend: tf.getBackend() });
  return { done, close: () => socket.disconnect() };
}
