import { MessageChannel, Worker } from 'node:worker_threads';
import type { CompressMode, PortLike } from '@shardgrad/protocol';

const BOOTSTRAP = new URL('./thread-bootstrap.mjs', import.meta.url);
const ENTRY = new URL('./in-process-worker-thread.ts', import.meta.url).href;

export interface InProcessWorkerSetup {
  /** wasm or cpu: the backends that run in a worker_thread. */
  backend: 'wasm' | 'cpu';
  nickname?: string;
  token?: string;
  slowdown?: number;
  compress?: CompressMode;
}

export interface InProcessWorkers {
  threads: Worker[];
  /** Waits for each thread to end (the coordinator stops them); terminates any still running after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `n` workers as threads of this process, each joined to the coordinator through
 * `attach(port)` (Coordinator.attachPort). They speak the same protocol as a `shardgrad worker`
 * process, over a message port instead of a socket: a round's weights and results are copied and
 * handed over between threads, not framed and sent through the loopback network.
 */
export function startInProcessWorkers(n: number, attach: (port: PortLike) => void, setup: (i: number) => InProcessWorkerSetup): InProcessWorkers {
  const threads = Array.from({ length: n }, (_, i) => {
    const { port1, port2 } = new MessageChannel();
    attach(port1);
    const t = new Worker(BOOTSTRAP, { workerData: { entry: ENTRY, port: port2, setup: setup(i) }, transferList: [port2] });
    // A thread that fails (a refused join, a backend that would not start) has closed its port,
    // which drops it from the coordinator's pool; the reason goes where a worker process's would.
    t.on('error', (e) => console.error(`shardgrad: worker thread ${i + 1} failed: ${e.message}`));
    return t;
  });
  return {
    threads,
    async stop(graceMs = 5000) {
      await Promise.all(
        threads.map(
          (t) =>
            new Promise<void>((resolve) => {
              if (t.threadId === -1) return resolve();
              const timer = setTimeout(() => void t.terminate(), graceMs);
              t.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
            }),
        ),
      );
    },
  };
}
