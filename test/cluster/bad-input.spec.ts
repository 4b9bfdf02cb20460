import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { encodeTensors, type TensorData } from '@shardgrad/codec';
import { runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { PROTOCOL_VERSION, type JoinAck, type ResultHeader, type RunInfo, type SubmitAck, type Task } from '@shardgrad/protocol';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

/** A hand-driven client: it says what a misbehaving tab or a buggy worker would say. */
async function rawClient(url: string): Promise<{ socket: Socket; run: RunInfo; tasks: Task[] }> {
  const socket = io(url, { transports: ['websocket'], reconnection: false });
  const tasks: Task[] = [];
  socket.on('task', (t: Task) => tasks.push(t));
  const ack = await socket.timeout(30_000).emitWithAck('hello', { protocol: PROTOCOL_VERSION, kind: 'node', backend: 'test' });
  const reply = ack as JoinAck;
  if (!reply.ok) throw new Error(reply.message);
  socket.emit('ready', {});
  return { socket, run: reply.run, tasks };
}

const submit = (s: Socket, header: unknown, payload: unknown) => s.timeout(30_000).emitWithAck('result', header, payload) as Promise<SubmitAck>;

describe('bad input from workers', () => {
  let cluster: TestCluster;
  const events: CoordinatorEvent[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster({ model: 'mnist-mlp', batch: 32, seed: 5 }, [{ nickname: 'honest' }]);
    cluster.coordinator.on('event', (e) => events.push(e));
    // Each bad case below comes from one client; dropping it after a few strikes is tested in test/attacks.
    cluster.coordinator.admission.configure({ maxStrikes: 1000 });
  });
  afterAll(async () => cluster.close());

  it('refuses a hello with a wrong protocol version or a malformed body, with a reason', async () => {
    for (const hello of [{ protocol: PROTOCOL_VERSION + 1, kind: 'node', backend: 'x' }, { protocol: 'one' }, 'garbage', { protocol: PROTOCOL_VERSION, kind: 'node', backend: 'x', extra: 1 }]) {
      const s = io(cluster.coordinator.url, { transports: ['websocket'], reconnection: false });
      const ack = (await s.timeout(30_000).emitWithAck('hello', hello)) as JoinAck;
      expect(ack.ok).toBe(false);
      if (!ack.ok) expect(ack.message.length).toBeGreaterThan(5);
      s.disconnect();
    }
  });

  it('rejects malformed, mis-shaped, non-finite, oversized and foreign submissions with reason codes, and training goes on', async () => {
    const c = cluster.coordinator;
    const bad = await rawClient(c.url);
    const specs = c.config.state.specs;
    const good = (): ResultHeader => ({ runId: bad.run.runId, round: 0, version: 0, shardId: 0, count: 1, loss: 1, schemaHash: bad.run.schemaHash, computeMs: 1 });
    const zeros = (): TensorData[] => specs.map((s) => ({ shape: [...s.shape], dtype: 'float32', data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) }));
    const withNaN = zeros();
    withNaN[1]!.data[3] = NaN;
    const wrongShape = zeros();
    wrongShape[0] = { shape: [10, 10], dtype: 'float32', data: new Float32Array(100) };
    const cases: [string, unknown, unknown][] = [
      ['malformed', { nonsense: true }, encodeTensors(zeros())],
      ['malformed', good(), new Uint8Array([0xc1, 0xff, 0x00])],
      ['malformed', good(), 'not binary'],
      ['wrong-run', { ...good(), runId: 'someone-else' }, encodeTensors(zeros())],
      ['wrong-schema', { ...good(), schemaHash: 'ffffffffffffffff' }, encodeTensors(zeros())],
      ['wrong-shape', good(), encodeTensors(wrongShape)],
      ['wrong-count', good(), encodeTensors(zeros().slice(1))],
      ['not-finite', good(), encodeTensors(withNaN)],
      ['oversized', good(), new Uint8Array(c.maxPayloadBytes + 1)],
      ['malformed', { ...good(), loss: 'NaN' }, encodeTensors(zeros())],
    ];
    for (const [reason, header, payload] of cases) {
      const ack = await submit(bad.socket, header, payload);
      expect(ack.ok, `${reason}: ${JSON.stringify(ack)}`).toBe(false);
      if (!ack.ok) expect(ack.reason).toBe(reason);
    }
    // A well-formed result for a shard never given to this worker is refused too.
    const stray = await submit(bad.socket, good(), encodeTensors(zeros()));
    expect(stray.ok).toBe(false);
    bad.socket.disconnect();
    const rejected = events.filter((e) => e.type === 'rejected');
    expect(rejected.length).toBeGreaterThanOrEqual(cases.length);
    const summary = await runTraining(c, { epochs: 1, maxSteps: 5, minWorkers: 1 });
    expect(summary.steps).toBe(5);
    expect(Number.isFinite(summary.testLoss)).toBe(true);
  });

  it('survives a payload above the socket limit and keeps training with the honest worker', async () => {
    const c = cluster.coordinator;
    const bad = await rawClient(c.url);
    const closed = new Promise<string>((r) => bad.socket.on('disconnect', (why) => r(why)));
    bad.socket.emit('result', {}, new Uint8Array(c.maxPayloadBytes * 3));
    expect(await closed).toMatch(/close/);
    const summary = await runTraining(c, { epochs: 1, maxSteps: 3, minWorkers: 1 });
    expect(summary.steps).toBe(3);
  });

  it('redoes elsewhere the shard of a worker whose results are refused: every sample still counts once', async () => {
    const c = cluster.coordinator;
    const bad = await rawClient(c.url);
    // The bad worker answers every task with NaN gradients.
    bad.socket.on('task', (t: Task) => {
      const nan = c.config.state.specs.map((s) => ({ shape: [...s.shape], dtype: 'float32' as const, data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)).fill(NaN) }));
      const n = (t.unit as unknown as { indices: Uint8Array }).indices.byteLength / 4;
      void submit(bad.socket, { runId: t.runId, round: t.round, version: t.version, shardId: t.shardId, count: n, loss: 0, schemaHash: bad.run.schemaHash, computeMs: 1 }, encodeTensors(nan));
    });
    const before = events.length;
    const summary = await runTraining(c, { epochs: 1, maxSteps: 4, minWorkers: 2 });
    bad.socket.disconnect();
    const rounds = events.slice(before).filter((e): e is Extract<CoordinatorEvent, { type: 'round' }> => e.type === 'round');
    expect(rounds.every((r) => r.samples === 32)).toBe(true);
    expect(events.slice(before).some((e) => e.type === 'rejected' && e.reason === 'not-finite')).toBe(true);
    expect(Number.isFinite(summary.trainLoss)).toBe(true);
  });
});
