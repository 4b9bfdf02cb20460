import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Remote } from 'comlink';
import type { JoinAck, RunInfo, SubmitAck, Task } from '@shardgrad/protocol';
import type { CalibrationProgress, CalibrationReport, ComputeApi } from './compute-api.ts';
import { parsePageOptions } from './page-options.ts';
import { storedMemory } from './tab-memory.ts';

type Handler = (...args: unknown[]) => void;

/** A socket.io client socket, driven by the test as the coordinator would drive it. */
class FakeSocket {
  connected = false;
  readonly sent: { event: string; args: unknown[] }[] = [];
  private handlers = new Map<string, Handler[]>();
  /** What the "coordinator" answers to a hello and to a result. */
  static answerHello: (hello: { nickname?: string; resume?: string }) => JoinAck;
  static answerResult: () => SubmitAck = () => ({ ok: true });

  on(event: string, fn: Handler) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  emit(event: string, ...args: unknown[]) {
    this.sent.push({ event, args });
    const ack = args.at(-1) as Handler;
    if (event === 'hello') queueMicrotask(() => ack(FakeSocket.answerHello(args[0] as never)));
    if (event === 'result') queueMicrotask(() => ack(FakeSocket.answerResult()));
  }
  connect() {
    this.connected = true;
    queueMicrotask(() => this.fire('connect'));
  }
  disconnect() {
    if (!this.connected) return;
    this.connected = false;
    this.fire('disconnect', 'io client disconnect');
  }
  hellos() {
    return this.sent.filter((m) => m.event === 'hello').map((m) => m.args[0] as { nickname?: string; resume?: string });
  }
}

const sockets: FakeSocket[] = [];
vi.mock('socket.io-client', () => ({
  io: () => {
    const s = new FakeSocket();
    sockets.push(s);
    s.connect();
    return s;
  },
}));
const { TabSession } = await import('./session.ts');

const run = (runId: string): RunInfo => ({ runId, model: 'mnist-mlp', modelConfig: {}, dataset: 'mnist', datasetOptions: {}, schemaHash: 'h', batch: 64, seed: 1, maxPayloadBytes: 1 << 20 });
const report: CalibrationReport = { chosen: 'wasm', samplesPerSecond: 1000, shardSize: 32, results: [{ backend: 'cpu', available: true, matches: true }, { backend: 'wasm', available: true, matches: true }] };

function fakeCompute() {
  const compute = {
    init: vi.fn(async () => ({ trainSamples: 100 })),
    calibrate: vi.fn(async (_req: unknown, onProgress?: (p: CalibrationProgress) => void) => {
      onProgress?.({ testing: 'cpu', done: [], total: 2 });
      onProgress?.({ testing: 'wasm', done: [report.results[0]!], total: 2 });
      return report;
    }),
    compute: vi.fn(async (req: { indices: Uint8Array }) => ({ grads: new Uint8Array(4), encoding: 'none' as const, count: req.indices.byteLength / 4, loss: 1, metrics: {}, computeMs: 1, backend: 'wasm' as const })),
    loseDevice: async () => undefined,
    backend: async () => 'wasm' as const,
  };
  return compute as unknown as Remote<ComputeApi> & typeof compute;
}

const task = (runId: string, round: number, samples: number): Task => ({
  runId,
  round,
  version: round,
  shardId: 0,
  // Indices arrive as bytes off the socket (session.ts copies them with asBytes).
  unit: { kind: 'samples', split: 'train', indices: new Uint8Array(Uint32Array.from({ length: samples }, (_, i) => i).buffer) as unknown as Uint32Array },
  weights: new Uint8Array(8),
});

const settle = () => new Promise((r) => setTimeout(r, 5));
async function until(what: string, ok: () => boolean) {
  for (let i = 0; i < 200 && !ok(); i++) await settle();
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

function storage() {
  const items = new Map<string, string>();
  return storedMemory({ getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) }, 'tab');
}

/** A tab of the class at http://class, as a join link with `search` opens it. */
function openTab(compute: ReturnType<typeof fakeCompute>, { memory = storage(), search = '?backend=wasm' } = {}) {
  return new TabSession({ origin: 'http://class', options: parsePageOptions(search), compute, memory });
}

async function startAndJoin(tab: InstanceType<typeof TabSession>) {
  await tab.start();
  await until('joined', () => tab.snapshot.phase === 'waiting');
}

describe('TabSession', () => {
  let current = run('r1');
  beforeEach(() => {
    sockets.length = 0;
    current = run('r1');
    vi.stubGlobal('fetch', async (url: string) =>
      url.endsWith('/api/status') ? new Response(JSON.stringify({ run: current })) : new Response(new Uint8Array(4)),
    );
    // The coordinator resumes a worker that brings its key, in the run it is in now.
    FakeSocket.answerHello = (hello) => ({ ok: true, workerId: 'w-6b9d6e21f0', run: current, resumeKey: 'key', resumed: hello.resume === 'key' });
    FakeSocket.answerResult = () => ({ ok: true });
  });
  afterEach(() => vi.unstubAllGlobals());

  it("counts only accepted results, per run as the coordinator does, and every run's since the tab opened", async () => {
    const memory = storage();
    const compute = fakeCompute();
    const tab = openTab(compute, { memory });
    await startAndJoin(tab);
    const socket = sockets[0]!;
    socket.fire('task', task('r1', 0, 64));
    await until('the first result counted', () => tab.snapshot.contribution.samples === 64);
    // A refused result (a late copy) is not this tab's work.
    FakeSocket.answerResult = () => ({ ok: false, reason: 'stale-round', message: 'late' });
    socket.fire('task', task('r1', 1, 32));
    await until('the refused result answered', () => socket.sent.filter((m) => m.event === 'result').length === 2);
    await settle();
    expect(tab.snapshot.contribution).toEqual({ samples: 64, rounds: 1 });
    FakeSocket.answerResult = () => ({ ok: true });

    // A reload comes back resumed in the same run: the coordinator's count carries on, and so does the tab's.
    const reloaded = openTab(compute, { memory });
    socket.disconnect();
    await reloaded.start();
    await until('rejoined', () => reloaded.snapshot.phase === 'waiting');
    expect(reloaded.snapshot.contribution).toEqual({ samples: 64, rounds: 1 });

    // The teacher starts a new run: its leaderboard starts at zero, so does "this run"; all runs carry on.
    current = run('r2');
    const s2 = sockets.at(-1)!;
    s2.fire('run', current);
    s2.connected = false;
    s2.fire('disconnect', 'io server disconnect');
    await until('joined the new run', () => reloaded.snapshot.phase === 'waiting' && sockets.at(-1)!.hellos().length === 2);
    s2.fire('task', task('r2', 0, 16));
    await until('counted in the new run', () => reloaded.snapshot.contribution.samples === 16);
    expect(reloaded.snapshot.allRuns).toEqual({ samples: 80, rounds: 2 });

    // A coordinator that did not resume the tab (restarted) counts it from zero: so does the tab.
    FakeSocket.answerHello = () => ({ ok: true, workerId: 'w-new', run: current, resumeKey: 'key2', resumed: false });
    s2.disconnect();
    s2.connect();
    await until('joined afresh', () => reloaded.snapshot.workerId === 'w-new' && reloaded.snapshot.phase === 'waiting');
    expect(reloaded.snapshot.contribution).toEqual({ samples: 0, rounds: 0 });
    expect(reloaded.snapshot.allRuns).toEqual({ samples: 80, rounds: 2 });
  });

  it('renames without a new backend test: it joins again as the same worker under the new name', async () => {
    const compute = fakeCompute();
    const tab = openTab(compute);
    const seen: (string | undefined)[] = [];
    tab.onChange((s) => s.phase === 'calibrating' && seen.push(s.message));
    await startAndJoin(tab);
    // The backend test said which backend it measured as it went.
    expect(seen).toEqual(expect.arrayContaining([expect.stringMatching(/Testing CPU/), expect.stringMatching(/Testing WASM, 2 of 2/)]));
    tab.rename('Ada');
    const socket = sockets[0]!;
    await until('joined again', () => socket.hellos().length === 2 && tab.snapshot.phase === 'waiting');
    expect(socket.hellos()[1]).toMatchObject({ nickname: 'Ada', resume: 'key' });
    expect(tab.snapshot).toMatchObject({ nickname: 'Ada', workerId: 'w-6b9d6e21f0' });
    expect(compute.calibrate).toHaveBeenCalledTimes(1);
  });

  it('after the end of training, joins the next run by itself once the class server is back', async () => {
    const tab = openTab(fakeCompute());
    await startAndJoin(tab);
    const socket = sockets[0]!;
    socket.fire('stop', 'training finished');
    expect(tab.snapshot).toMatchObject({ phase: 'finished', rejoinsByItself: true });
    // Late class stats of the run that just ended do not bring it back.
    tab.classChanged({ runId: 'r1', runState: 'training', samples: 0, steps: 0, workers: 1 });
    expect(tab.snapshot.phase).toBe('finished');
    // The server goes away; the teacher starts the class again.
    tab.classChanged({ runId: 'r1', samples: 0, steps: 0, workers: 0, offline: true });
    current = run('r3');
    tab.classChanged({ runId: 'r3', runState: 'waiting', samples: 0, steps: 0, workers: 0 });
    await until('joined the new class', () => tab.snapshot.phase === 'waiting' && tab.snapshot.run?.runId === 'r3');
  });

  it('does not rejoin by itself after being let go, and says plainly when the class server cannot be reached', async () => {
    const tab = openTab(fakeCompute());
    await startAndJoin(tab);
    const socket = sockets[0]!;
    socket.fire('stop', 'dropped after 4 refused submissions (limit 3)');
    expect(tab.snapshot).toMatchObject({ phase: 'finished', rejoinsByItself: false });
    tab.classChanged({ runId: 'r9', runState: 'waiting', samples: 0, steps: 0, workers: 0 });
    expect(tab.snapshot.phase).toBe('finished');
    tab.resume();
    socket.fire('connect_error', new Error('websocket error'));
    expect(tab.snapshot).toMatchObject({ phase: 'connecting', message: 'Cannot reach the class server; retrying…' });
  });

  it('waits for a class server that closed without a stop (a restart) and joins it again, as a newcomer if it must', async () => {
    const tab = openTab(fakeCompute());
    await startAndJoin(tab);
    const socket = sockets[0]!;
    FakeSocket.answerHello = () => ({ ok: true, workerId: 'w-after', run: current, resumeKey: 'key2', resumed: false });
    socket.connected = false;
    socket.fire('disconnect', 'io server disconnect');
    expect(tab.snapshot).toMatchObject({ phase: 'connecting', message: expect.stringMatching(/restarting/) });
    await until('joined the restarted server', () => tab.snapshot.phase === 'waiting' && tab.snapshot.workerId === 'w-after');
    expect(socket.hellos()).toHaveLength(2);
  });

  it('asks for the code again, as a normal step, when the class refuses the one it has', async () => {
    FakeSocket.answerHello = () => ({ ok: false, reason: 'unauthorized', message: 'wrong join code' });
    const tab = openTab(fakeCompute(), { search: '?backend=wasm&code=WRONG7' });
    await tab.start();
    await until('refused', () => tab.snapshot.phase === 'code');
    expect(tab.snapshot).toMatchObject({ refused: 'unauthorized', message: expect.stringMatching(/not accepted/) });
  });
});
