import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { runTraining, type Coordinator, type CoordinatorEvent, type TrainingSummary } from '@shardgrad/coordinator';
import { PROTOCOL_VERSION, type SubmitAck, type Task } from '@shardgrad/protocol';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { headerFor, rawClient, zeroPayload } from '../support/raw-client.ts';

/** Resolves once a round at or past `step` is done. */
function stepReached(c: Coordinator, step: number): Promise<void> {
  return new Promise((resolve) => {
    if (c.position.step >= step) return resolve();
    const on = (e: CoordinatorEvent) => {
      if (e.type !== 'round' || e.step < step) return;
      c.off('event', on);
      resolve();
    };
    c.on('event', on);
  });
}

const connect = async (url: string): Promise<Socket> => {
  const s = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
};
const ask = (s: Socket, event: string, ...args: unknown[]) => s.timeout(30_000).emitWithAck(event, ...args) as Promise<SubmitAck>;
const firstTask = (tasks: Task[], s: Socket) => (tasks[0] ? Promise.resolve(tasks[0]) : new Promise<Task>((r) => s.once('task', r)));
const withMetrics = { metrics: { accuracy: 0.1 } };

/**
 * One bad worker must never crash, freeze or stall the run: the QA findings against the socket
 * protocol, each over real sockets while an honest worker trains beside the attacker.
 */
describe('protocol abuse', () => {
  let cluster: TestCluster;
  let c: Coordinator;
  let training: Promise<TrainingSummary>;
  const events: CoordinatorEvent[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster({ model: 'mnist-mlp', batch: 32, seed: 5 }, [{ nickname: 'honest', reconnect: false }]);
    c = cluster.coordinator;
    c.on('event', (e) => events.push(e));
    training = runTraining(c, { epochs: 1000, maxSteps: 1_000_000, minWorkers: 1 });
    await stepReached(c, 3);
  });
  afterAll(async () => {
    c?.control.stop();
    await training;
    await cluster?.close();
  });

  it('answers every event out of its place, and a result whose payload is missing', async () => {
    const s = await connect(c.url);
    expect(await ask(s, 'result', { a: 1 }, new Uint8Array(4))).toMatchObject({ ok: false, reason: 'out-of-order' });
    expect(await ask(s, 'bogus-event', 1)).toMatchObject({ ok: false, reason: 'unknown-event' });
    expect(await ask(s, 'hello', { protocol: PROTOCOL_VERSION, kind: 'node', backend: 'test' })).toMatchObject({ ok: true });
    expect(await ask(s, 'hello', { protocol: PROTOCOL_VERSION, kind: 'node', backend: 'test' })).toMatchObject({ ok: false, reason: 'out-of-order' });
    expect(await ask(s, 'result', { a: 1 }, new Uint8Array(4))).toMatchObject({ ok: false, reason: 'out-of-order', message: 'result before ready' });
    const tasks: Task[] = [];
    s.on('task', (t: Task) => tasks.push(t));
    s.emit('ready', {});
    const task = await firstTask(tasks, s);
    // The acknowledgement travels where the payload should be: it is still found, and answered.
    expect(await ask(s, 'result', headerFor(task, c.config.state.schemaHash, withMetrics))).toMatchObject({ ok: false, reason: 'malformed', message: expect.stringMatching(/not binary/) });
    s.disconnect();
  });

  it('refuses a result with a wrong count, an absurd loss or an encoding its payload lacks, each with its reason', async () => {
    const liar = await rawClient(c.url, { nickname: 'reporter' });
    const task = await firstTask(liar.tasks, liar.socket);
    const h = headerFor(task, c.config.state.schemaHash, withMetrics);
    const payload = zeroPayload(c.config.state.specs);
    const acks = [
      await liar.submit({ ...h, count: h.count + 1000 }, payload),
      await liar.submit({ ...h, loss: 1e308 }, payload),
      await liar.submit({ ...h, encoding: 'fp16' }, payload),
      await liar.submit({ ...h, metrics: { other: 1 } }, payload),
    ];
    // The round may have moved on while it was refused: a late submission is stale, not wrong.
    expect(acks.map((a) => (a.ok ? 'ok' : a.reason))).toEqual([expect.stringMatching(/^(wrong-count|stale-round)$/), 'malformed', 'malformed', expect.stringMatching(/^(malformed|stale-round)$/)]);
    expect(acks[1]).toMatchObject({ message: expect.stringMatching(/<=1000000000000000/) });
    expect(acks[2]).toMatchObject({ message: expect.stringMatching(/payload holds no fp16/) });
    liar.close();
  });

  it('refuses a huge but finite gradient as out of range, counts a strike, reassigns its shard, and training goes on', async () => {
    await stepReached(c, 8);
    for (const value of [1e15, 3e38]) {
      const liar = await rawClient(c.url, { nickname: `huge-${value}` });
      const task = await firstTask(liar.tasks, liar.socket);
      const ack = await liar.submit(headerFor(task, c.config.state.schemaHash, withMetrics), zeroPayload(c.config.state.specs, value));
      expect(ack).toMatchObject({ ok: false, reason: 'out-of-range', message: expect.stringMatching(/norm|float32/) });
      expect(c.pool.views().find((v) => v.nickname === `huge-${value}`)).toMatchObject({ errors: 1, rejects: { 'out-of-range': 1 } });
      liar.close();
    }
    const from = c.position.step;
    await stepReached(c, from + 10);
    const weights = c.config.state.weights();
    expect(weights.every((t) => t.data.every(Number.isFinite))).toBe(true);
    const rounds = events.filter((e): e is Extract<CoordinatorEvent, { type: 'round' }> => e.type === 'round' && e.step > from);
    expect(rounds.every((e) => Number.isFinite(e.loss) && e.loss < 10)).toBe(true);
    expect(events.some((e) => e.type === 'update-skipped')).toBe(false);
  });

  it('refuses losses and accuracies the model cannot produce, as a failing GPU returned them', async () => {
    for (const [nickname, lie] of [
      ['negative-loss', { loss: -0.46, metrics: { accuracy: 0.9 } }],
      ['huge-accuracy', { loss: 0.5, metrics: { accuracy: 62_018 } }],
    ] as const) {
      const liar = await rawClient(c.url, { nickname });
      const task = await firstTask(liar.tasks, liar.socket);
      const ack = await liar.submit(headerFor(task, c.config.state.schemaHash, lie), zeroPayload(c.config.state.specs));
      expect(ack).toMatchObject({ ok: false, reason: 'out-of-range', message: expect.stringMatching(/cannot be|can take/) });
      expect(c.pool.views().find((v) => v.nickname === nickname)).toMatchObject({ errors: 1, rejects: { 'out-of-range': 1 } });
      liar.close();
    }
    const from = c.position.step;
    await stepReached(c, from + 5);
    const rounds = events.filter((e): e is Extract<CoordinatorEvent, { type: 'round' }> => e.type === 'round' && e.step > from);
    expect(rounds.every((e) => e.loss >= 0 && (e.metrics.accuracy ?? 0) <= 1)).toBe(true);
  });

  it('does not stall for a worker that announces a crawl and never answers', async () => {
    const tiny = await rawClient(c.url, { nickname: 'tiny' }, { ready: false });
    tiny.socket.emit('ready', { samplesPerSecond: 0.001 });
    const from = c.position.step;
    await stepReached(c, from + 30);
    expect(c.pool.views().find((v) => v.nickname === 'tiny')?.status).toBe('busy');
    tiny.close();
  });

  it('gives no speed for stale results that claim a billion samples in no time', async () => {
    const liar = await rawClient(c.url, { nickname: 'stale-liar' }, { ready: false });
    const payload = zeroPayload(c.config.state.specs);
    liar.socket.on('task', (t: Task) => {
      void liar.submit(headerFor(t, c.config.state.schemaHash, { ...withMetrics, round: t.round + 1_000_000, count: 1_000_000_000, computeMs: 0 }), payload).catch(() => undefined);
    });
    liar.socket.emit('ready', {});
    const from = c.position.step;
    await stepReached(c, from + 30);
    const view = c.pool.views().find((v) => v.nickname === 'stale-liar')!;
    const honest = c.pool.views().find((v) => v.nickname === 'honest')!;
    expect(view.rejects?.['stale-round'] ?? 0).toBeGreaterThan(0);
    // Believed, the claim would be ~1e9 samples a second and the whole batch every round.
    expect(view.samplesPerSecond).toBeLessThan(1e7);
    expect(honest.samples).toBeGreaterThan(view.samples);
    liar.close();
  });
});

describe('a socket that says hello but never ready', () => {
  let cluster: TestCluster;
  const events: CoordinatorEvent[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster({ model: 'mnist-mlp', batch: 32, seed: 6 }, []);
    cluster.coordinator.admission.configure({ maxTabsPerIp: 2, readyTimeoutMs: 300 });
    cluster.coordinator.on('event', (e) => events.push(e));
  });
  afterAll(async () => cluster?.close());

  it('is dropped after the ready timeout, and the tab slot it held is free again', async () => {
    const url = cluster.coordinator.url;
    const squatters = [await rawClient(url, { kind: 'browser' }, { ready: false }), await rawClient(url, { kind: 'browser' }, { ready: false })];
    expect(squatters.map((s) => s.ack.ok)).toEqual([true, true]);
    const stops = squatters.map((s) => new Promise<string>((r) => s.socket.once('stop', r)));
    const gone = squatters.map((s) => new Promise<void>((r) => s.socket.once('disconnect', () => r())));
    expect(await Promise.all(stops)).toEqual([expect.stringMatching(/^timed-out: no ready/), expect.stringMatching(/^timed-out: no ready/)]);
    await Promise.all(gone);
    expect(events.filter((e) => e.type === 'worker-refused' && e.reason === 'timed-out')).toHaveLength(2);
    const student = await rawClient(url, { kind: 'browser', nickname: 'alice' });
    expect(student.ack).toMatchObject({ ok: true });
    student.close();
  });
});
