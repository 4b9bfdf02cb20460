import { io, type Socket } from 'socket.io-client';
import { encodeTensors, type TensorSpec } from '@shardgrad/codec';
import { PROTOCOL_VERSION, type JoinAck, type ResultHeader, type SubmitAck, type Task } from '@shardgrad/protocol';

/** A hand-driven peer: says exactly what a test (or an attacker) wants it to say. */
export interface RawClient {
  socket: Socket;
  ack: JoinAck;
  tasks: Task[];
  submit(header: unknown, payload: unknown): Promise<SubmitAck>;
  close(): void;
}

export async function rawClient(url: string, hello: Record<string, unknown> = {}, opts: { ready?: boolean; extraHeaders?: Record<string, string> } = {}): Promise<RawClient> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: opts.extraHeaders });
  const tasks: Task[] = [];
  socket.on('task', (t: Task) => tasks.push(t));
  const ack = (await socket.timeout(60_000).emitWithAck('hello', { protocol: PROTOCOL_VERSION, kind: 'node', backend: 'test', ...hello })) as JoinAck;
  if (ack.ok && opts.ready !== false) socket.emit('ready', {});
  return {
    socket,
    ack,
    tasks,
    submit: (header, payload) => socket.timeout(60_000).emitWithAck('result', header, payload) as Promise<SubmitAck>,
    close: () => socket.disconnect(),
  };
}

/** Zero gradients in the model's layout (well-formed, so they reach the round's bookkeeping). */
export function zeroPayload(specs: readonly TensorSpec[], fill = 0): Uint8Array {
  return encodeTensors(specs.map((s) => ({ shape: [...s.shape], dtype: 'float32', data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)).fill(fill) })));
}

/** The header of a result for `task` (count from its indices), with the metric of the classifiers these tests train. */
export function headerFor(task: Task, schemaHash: string, over: Partial<ResultHeader> = {}): ResultHeader {
  // Indices arrive as raw bytes (a Buffer), typed as the Uint32Array they were sent as.
  const n = task.unit.kind === 'samples' ? task.unit.indices.byteLength / 4 : 1;
  return { runId: task.runId, round: task.round, version: task.version, shardId: task.shardId, count: n, loss: 1, metrics: { accuracy: 0.5 }, schemaHash, computeMs: 1, ...over };
}
