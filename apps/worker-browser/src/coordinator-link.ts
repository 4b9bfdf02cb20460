/**
 * The tab's place in the class, over socket.io: join (hello, then ready), join again with the resume
 * key whenever something the coordinator plans with has changed, and follow the teacher into a new
 * run. The socket lives on the main thread, not in the Web Worker, so that pause and page close can
 * say goodbye at once even while a shard is computing.
 */
import { io, type Socket } from 'socket.io-client';
// Deep import: the package's index file also pulls in msgpackr and zod, which the main thread never needs.
import { PROTOCOL_VERSION } from '@shardgrad/protocol/version';
import type { JoinAck, RunInfo } from '@shardgrad/protocol';
import type { ShardReply } from './compute-api.ts';
import type { AfterTraining } from './after-training.ts';
import type { RunPreparation } from './run-preparation.ts';
import type { SessionDeps, WorkerSocket } from './session-deps.ts';
import { runShown, UNREACHABLE, type SnapshotStore } from './tab-snapshot.ts';
import { TaskRunner, type TaskSource } from './task-runner.ts';

export interface CoordinatorLinkParts {
  deps: Pick<SessionDeps, 'origin' | 'options' | 'compute'>;
  snapshots: SnapshotStore;
  preparation: RunPreparation;
  afterTraining: AfterTraining;
  /** Given at an earlier join, kept across a reload. */
  resumeKey?: string;
  isPausedByUser(): boolean;
  /** The resume key changed: keep it across a reload. */
  remember(): void;
  /** Joined `runId`; `resumed`: the coordinator took this tab back as the worker it was. */
  joinedRun(runId: string, resumed: boolean): void;
  /** A result the coordinator accepted. */
  accepted(runId: string, samples: number): void;
}

export class CoordinatorLink implements TaskSource {
  private socket?: WorkerSocket;
  /** Bumped on every (re)connection: work queued for an earlier connection is dropped, never sent late. */
  private connection = 0;
  private joined?: RunInfo;
  /** Given at join; said again after a drop, so the coordinator knows this tab (its strikes, its shard). */
  private key?: string;
  private announcedRun?: RunInfo;
  private readonly tasks: TaskRunner;

  constructor(private readonly parts: CoordinatorLinkParts) {
    this.key = parts.resumeKey;
    this.tasks = new TaskRunner({ source: this, deps: parts.deps, snapshots: parts.snapshots, accepted: parts.accepted });
  }

  get generation(): number {
    return this.connection;
  }

  get run(): RunInfo | undefined {
    return this.joined;
  }

  get resumeKey(): string | undefined {
    return this.key;
  }

  connect(): void {
    const { snapshots } = this.parts;
    const socket: WorkerSocket = io(this.parts.deps.origin, { transports: ['websocket'], reconnectionDelayMax: 5000 });
    this.socket = socket;
    socket.on('connect', () => this.hello(socket));
    socket.on('task', (task) => this.tasks.take(socket, task));
    socket.on('run', (run) => (this.announcedRun = run));
    socket.on('stop', (reason) => this.stopped(socket, reason));
    socket.on('connect_error', (e) => {
      console.warn(`shardgrad: cannot connect: ${e.message}`);
      if (!this.parts.isPausedByUser()) snapshots.set({ phase: 'connecting', message: UNREACHABLE });
    });
    socket.on('disconnect', (reason) => void this.disconnected(socket, reason));
  }

  /** After a pause or the end of a run: on the socket the tab had, if it had one. */
  joinAgain(): void {
    if (this.socket) this.socket.connect();
    else this.connect();
  }

  /** Say so, so the coordinator need not wait for the socket to time out. */
  leave(): void {
    this.connection++;
    if (this.socket?.connected) this.socket.emit('leave');
    this.socket?.disconnect();
  }

  rejoinIfConnected(): void {
    if (this.socket?.connected) this.rejoin(this.socket);
  }

  /**
   * The GPU was lost and the Web Worker moved to another backend. The result is in; now join again,
   * so the coordinator shows the backend actually used and plans with its speed.
   */
  switchedBackend(socket: WorkerSocket, r: ShardReply): void {
    const { preparation, snapshots } = this.parts;
    preparation.switchedTo(r);
    snapshots.set({ backend: r.backend, samplesPerSecond: preparation.reportedSpeed(), fallbacks: [...snapshots.current.fallbacks, r.fallback!] });
    this.rejoin(socket);
  }

  /** Leaves and joins again at once, with the resume key: the same worker, told what changed at hello. */
  private rejoin(socket: WorkerSocket): void {
    this.connection++;
    socket.disconnect();
    socket.connect();
  }

  private hello(socket: WorkerSocket): void {
    if (this.parts.isPausedByUser()) {
      socket.disconnect();
      return;
    }
    const { options } = this.parts.deps;
    const report = this.parts.preparation.report!;
    const wasm = report.results.find((r) => r.backend === 'wasm');
    this.connection++;
    const gen = this.connection;
    this.parts.snapshots.set({ phase: 'connecting', message: 'Joining the class…', rejoinsByItself: undefined });
    socket.emit(
      'hello',
      {
        protocol: PROTOCOL_VERSION,
        kind: 'browser',
        backend: report.chosen,
        nickname: options.nickname,
        token: options.code,
        resume: this.key,
        samplesPerSecond: this.parts.preparation.reportedSpeed(),
        ...(options.compress !== 'none' && { compress: options.compress }),
        ...(report.chosen === 'wasm' && wasm?.threads ? { threads: wasm.threads } : {}),
      },
      (ack: JoinAck) => void this.welcomed(socket, ack, gen),
    );
  }

  private async welcomed(socket: WorkerSocket, ack: JoinAck, gen: number): Promise<void> {
    const { snapshots, preparation } = this.parts;
    if (gen !== this.connection) return;
    if (!ack.ok) {
      socket.disconnect();
      // A wrong or old code is the student's to fix: ask for it again, no error.
      if (ack.reason === 'unauthorized') return snapshots.set({ phase: 'code', message: 'That code was not accepted: type the one on the teacher\'s screen.', refused: ack.reason });
      return snapshots.set({ phase: 'error', message: `The class server refused this tab: ${ack.message}`, refused: ack.reason });
    }
    this.key = ack.resumeKey;
    this.parts.remember();
    if (!preparation.isPreparedFor(ack.run)) {
      // The coordinator moved to another run since we prepared: prepare for that one, then join.
      socket.disconnect();
      return this.prepareThenConnect(socket, ack.run);
    }
    this.joined = ack.run;
    this.tasks.forgetWeights();
    this.parts.joinedRun(ack.run.runId, ack.resumed === true);
    socket.emit('ready', { samplesPerSecond: preparation.reportedSpeed() });
    snapshots.set({ phase: 'waiting', message: 'Joined. Waiting for the next round…', workerId: ack.workerId, run: runShown(ack.run), refused: undefined });
  }

  /** Training is over (or this tab was let go): nothing more will come, so close our side. */
  private stopped(socket: WorkerSocket, reason: string): void {
    this.connection++;
    socket.disconnect();
    this.parts.snapshots.set(this.parts.afterTraining.stopped(reason, this.joined?.runId));
  }

  private async disconnected(socket: WorkerSocket, reason: Socket.DisconnectReason): Promise<void> {
    const { snapshots } = this.parts;
    if (this.parts.isPausedByUser() || snapshots.current.phase === 'error' || snapshots.current.phase === 'code') return;
    if (reason === 'io client disconnect') return; // our own doing: a rejoin or a leave
    if (reason !== 'io server disconnect') {
      console.warn(`shardgrad: connection lost: ${reason}`);
      snapshots.set({ phase: 'connecting', message: 'Lost the connection to the class server; reconnecting…' });
      return;
    }
    const next = this.announcedRun;
    this.announcedRun = undefined;
    // The teacher started a new run: prepare for it and join again.
    if (next) return this.prepareThenConnect(socket, next);
    // Every deliberate end says 'stop' first (this side then closes, so it never gets here). A
    // server that closes without one is restarting (a rollout, docker stop mid-run) and resumes the
    // run: wait for it, as for a dropped network.
    snapshots.set({ phase: 'connecting', message: 'The class server is restarting; reconnecting…' });
    socket.connect();
  }

  private async prepareThenConnect(socket: WorkerSocket, run: RunInfo): Promise<void> {
    try {
      if (!this.parts.preparation.isPreparedFor(run)) await this.parts.preparation.prepare(run);
      socket.connect();
    } catch (e) {
      this.parts.snapshots.fail(e);
    }
  }
}
