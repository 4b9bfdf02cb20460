/**
 * A worker thread of the coordinator's process (startInProcessWorkers): its own tfjs backend, model
 * and data, joined to the coordinator over the message port it was given. Ends when the coordinator
 * stops it or drops it, or when the port closes.
 */
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { initNodeBackend } from '@shardgrad/backends/node';
import { startNodeWorker } from './node-worker.ts';
import type { InProcessWorkerSetup } from './in-process-workers.ts';

const { port, setup } = workerData as { port: MessagePort; setup: InProcessWorkerSetup };
await initNodeBackend(setup.backend);
const w = await startNodeWorker({ port, kind: 'thread', nickname: setup.nickname, token: setup.token, slowdown: setup.slowdown, compress: setup.compress });
await w.done;
port.close();
