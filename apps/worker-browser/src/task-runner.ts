/**
 * Turns the coordinator's tasks into results on the compute Web Worker, one at a time, in the order
 * they came. Work of an earlier connection is dropped, never sent late: when the tab paused or
 * joined again, the coordinator has already given that shard to someone else.
 */
import * as Comlink from 'comlink';
// Deep import: the package's index file also pulls in msgpackr and zod, which the main thread never needs.
import { asBytes } from '@shardgrad/codec/indices';
import type { ResultHeader, RunInfo, Task } from '@shardgrad/protocol';
import type { ShardReply } from './compute-api.ts';
import type { SessionDeps, WorkerSocket } from './session-deps.ts';
import { sleep } from './sleep.ts';
import type { SnapshotStore } from './tab-snapshot.ts';

/** Consecutive failed tasks after which the tab gives up (and says why) instead of rejoining. */
const MAX_FAILURES = 3;

/** What the runner needs of the connection it works for (coordinator-link.ts). */
export interface TaskSource {
  /** Bumped on every (re)connection. */
  readonly generation: number;
  /** The run joined: only its tasks are this tab's. */
  readonly run: RunInfo | undefined;
  leave(): void;
  rejoinIfConnected(): void;
  switchedBackend(socket: WorkerSocket, r: ShardReply): void;
}

export interface TaskRunnerParts {
  source: TaskSource;
  deps: Pick<SessionDeps, 'compute' | 'options'>;
  snapshots: SnapshotStore;
  /** A result the coordinator accepted. */
  accepted(runId: string, samples: number): void;
}

export class TaskRunner {
  private queue: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** Tasks failed in a row; a tab that fails every task stops rather than rejoin forever. */
  private failures = 0;
  private localVersion = -1;

  constructor(private readonly parts: TaskRunnerParts) {}

  /** A new join: the tab vouches for no weights until a task brings them. */
  forgetWeights(): void {
    this.localVersion = -1;
  }

  take(socket: WorkerSocket, task: Task): void {
    const gen = this.parts.source.generation;
    this.inFlight++;
    this.queue = this.queue
      .then(() => this.handle(socket, task, gen))
      .catch((e: Error) => this.failed(e))
      .finally(() => {
        this.inFlight--;
        const { snapshots } = this.parts;
        if (this.inFlight === 0 && snapshots.current.phase === 'training') snapshots.set({ phase: 'waiting', message: 'Waiting for the next round…' });
      });
  }

  private async handle(socket: WorkerSocket, task: Task, gen: number): Promise<void> {
    const { source, deps, snapshots } = this.parts;
    const run = source.run;
    if (gen !== source.generation || !run || task.runId !== run.runId) return;
    snapshots.set({ phase: 'training', message: `Computing ${task.unit.kind === 'samples' ? `${task.unit.indices.byteLength / 4} samples` : 'a task'} for round ${task.round + 1}…` });
    if (!task.weights && this.localVersion !== task.version) throw new Error(`the task needs weights v${task.version}, this tab holds v${this.localVersion}`);
    if (task.unit.kind !== 'samples') throw new Error(`work of kind "${task.unit.kind}" is not something this page can do`);
    if (task.delayMs) await sleep(task.delayMs);
    // Weights and shard go in one message (compute-api.ts says why). Until the worker has taken the
    // weights this tab holds no version it can vouch for.
    const weights = task.weights ? copyBytes(task.weights) : undefined;
    const indices = copyBytes(task.unit.indices);
    if (weights) this.localVersion = -1;
    const request = { weights, indices, augmentSeed: task.unit.augmentSeed, round: task.round, compress: deps.options.compress };
    const r = await deps.compute.compute(Comlink.transfer(request, weights ? [weights.buffer, indices.buffer] : [indices.buffer]));
    if (weights) this.localVersion = task.version;
    let computeMs = r.computeMs;
    const slowdown = deps.options.slowdown;
    if (slowdown > 1) {
      await sleep(computeMs * (slowdown - 1));
      computeMs *= slowdown;
    }
    // Paused or reconnected meanwhile: the coordinator already gave this shard to someone else.
    if (gen !== source.generation || !socket.connected) return;
    const header: ResultHeader = {
      runId: task.runId,
      round: task.round,
      version: task.version,
      shardId: task.shardId,
      count: r.count,
      loss: r.loss,
      metrics: r.metrics,
      schemaHash: run.schemaHash,
      computeMs,
      ...(r.encoding !== 'none' && { encoding: r.encoding }),
    };
    socket.emit('result', header, r.grads, (ack) => {
      if (ack.ok) {
        this.failures = 0;
        this.parts.accepted(task.runId, r.count);
      }
      if (r.fallback) source.switchedBackend(socket, r);
    });
  }

  private failed(e: Error): void {
    if (++this.failures >= MAX_FAILURES) {
      this.parts.source.leave();
      return this.parts.snapshots.fail(new Error(`this tab failed ${this.failures} tasks in a row and stopped: ${e.message}`));
    }
    // Out of step with the coordinator (weights, run): join afresh rather than send bad work.
    console.warn(`shardgrad: task failed, joining again: ${e.message}`);
    this.parts.source.rejoinIfConnected();
  }
}

/** A fresh, exactly sized copy: socket.io may hand us a view into a larger buffer, and we transfer it. */
function copyBytes(v: unknown): Uint8Array {
  return asBytes(v).slice();
}
