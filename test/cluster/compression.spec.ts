import { describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { compressTensor, encodeTensors, type TensorData } from '@shardgrad/codec';
import { runTraining, type Coordinator, type CoordinatorEvent } from '@shardgrad/coordinator';
import { PROTOCOL_VERSION, type JoinAck, type ResultHeader, type SubmitAck, type WorkerView } from '@shardgrad/protocol';
import { pack } from 'msgpackr';
import { startTestCluster } from '../support/cluster.ts';

/**
 * Wire compression in a mixed fleet: one worker sends int8 gradients (with error feedback), the
 * other raw float32. Compressed results are approximate by design, so this is no exactness test:
 * the run must reach about the accuracy and the weights of the same run uncompressed. Plain SGD,
 * not Adam: Adam divides out a gradient's scale, so a decoder off by a constant factor would still
 * train as well under it; under SGD it moves the weights elsewhere, and the weight check sees it.
 */
const BATCH = 64;
const STEPS = 60;
const SEED = 11;
const SGD = { optimizer: 'sgd', learningRate: 0.3 } as const;

/** ‖a − b‖ over every tensor. */
const distance = (a: readonly { data: ArrayLike<number> }[], b: readonly { data: ArrayLike<number> }[]) =>
  Math.sqrt(a.reduce((s, t, i) => s + Array.from(t.data).reduce((u, v, j) => u + (v - b[i]!.data[j]!) ** 2, 0), 0));

async function train(compress: 'none' | 'int8', before?: (c: Coordinator) => Promise<void>) {
  const cluster = await startTestCluster({ model: 'mnist-mlp', batch: BATCH, seed: SEED, ...SGD }, [
    { nickname: 'raw', samplesPerSecond: 500 },
    { nickname: 'packed', samplesPerSecond: 500, compress },
  ]);
  try {
    const c = cluster.coordinator;
    const events: CoordinatorEvent[] = [];
    c.on('event', (e) => events.push(e));
    const initial = c.config.state.weights();
    await before?.(c);
    const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 2 });
    const res = await fetch(`${c.url}/api/status`);
    const workers = ((await res.json()) as { workers: WorkerView[] }).workers;
    return { summary, workers, events, initial, final: c.config.state.weights() };
  } finally {
    await cluster.close();
  }
}

const submit = (s: Socket, header: unknown, payload: unknown) => s.timeout(30_000).emitWithAck('result', header, payload) as Promise<SubmitAck>;

describe('gradient compression on the wire', () => {
  it('a mixed fleet (one int8 worker) trains mnist-mlp to about the accuracy of the uncompressed run', async () => {
    const plain = await train('none');
    const mixed = await train('int8');
    expect(plain.summary.steps).toBe(STEPS);
    expect(mixed.summary.steps).toBe(STEPS);
    const packed = mixed.workers.find((w) => w.nickname === 'packed' && w.status !== 'gone')!;
    const raw = mixed.workers.find((w) => w.nickname === 'raw' && w.status !== 'gone')!;
    // /api/status shows what each link carries: int8 at about a quarter of the raw worker's bytes.
    expect(packed).toMatchObject({ compress: 'int8', encoding: 'int8' });
    expect(raw.compress).toBeUndefined();
    expect(raw.encoding).toBe('none');
    expect(raw.resultBytes! / packed.resultBytes!).toBeGreaterThan(3.5);
    // Late copies of reassigned shards (a loaded machine) are harmless; nothing else may be refused.
    expect(mixed.events.filter((e) => e.type === 'rejected' && e.reason !== 'stale-round' && e.reason !== 'duplicate')).toEqual([]);
    // Learned (10 classes: chance is 10%), and within 3 points of the float32 run.
    // Same seed, same batches (the aggregate does not depend on the split): only quantisation differs.
    const moved = distance(plain.final, plain.initial);
    const apart = distance(mixed.final, plain.final);
    console.info(`after ${STEPS} steps: test accuracy float32 ${plain.summary.testAccuracy}, one int8 worker ${mixed.summary.testAccuracy}; weights apart ${(apart / moved).toFixed(4)} of the distance moved`);
    // Measured 0.043 here; a decoder whose scales are off by 20% gave 0.097.
    expect(apart / moved).toBeLessThan(0.07);
    expect(plain.summary.testAccuracy).toBeGreaterThan(0.75);
    expect(Math.abs(mixed.summary.testAccuracy - plain.summary.testAccuracy)).toBeLessThan(0.03);
  }, 300_000);

  it('refuses malformed and dishonest compressed payloads with a clear reason, and training goes on', async () => {
    const acks: SubmitAck[] = [];
    const { summary, events } = await train('int8', async (c) => {
      const s = io(c.url, { transports: ['websocket'], reconnection: false });
      const ack = (await s.timeout(30_000).emitWithAck('hello', { protocol: PROTOCOL_VERSION, kind: 'node', backend: 'test', compress: 'int8' })) as JoinAck;
      if (!ack.ok) throw new Error(ack.message);
      const run = ack.run;
      s.emit('ready', {}); // results are only heard from workers that said ready
      const header = (encoding: ResultHeader['encoding']): ResultHeader => ({ runId: run.runId, round: 0, version: 0, shardId: 0, count: 1, loss: 1, schemaHash: run.schemaHash, computeMs: 1, encoding });
      // A well-formed int8 payload of the model's shapes, to corrupt one way at a time.
      const zeros = (): TensorData[] => c.config.state.specs.map(({ shape }) => ({ shape: [...shape], dtype: 'float32', data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }));
      const int8 = zeros().map((t) => compressTensor(t.shape, t.data as Float32Array, 'int8'));
      const badScales = pack([1, zeros().map((t) => [t.shape, 'float32', new Uint8Array(t.data.length), 'int8', 256, new Uint8Array(3)])]);
      const nanScales = (n: number) => new Uint8Array(new Float32Array(Math.ceil(n / 256)).fill(NaN).buffer);
      const nanScale = pack([1, zeros().map((t) => [t.shape, 'float32', new Uint8Array(t.data.length), 'int8', 256, nanScales(t.data.length)])]);
      const cases: [string, RegExp, ResultHeader, Uint8Array][] = [
        ['malformed', /float32 scales/, header('int8'), badScales],
        ['malformed', /header says none, the payload holds int8/, header(undefined), encodeTensors(int8)],
        ['malformed', /header says fp16, the payload holds int8/, header('fp16'), encodeTensors(int8)],
        ['not-finite', /NaN/, header('int8'), nanScale],
      ];
      for (const [reason, message, h, payload] of cases) {
        const a = await submit(s, h, payload);
        acks.push(a);
        expect(a, reason).toMatchObject({ ok: false, reason });
        if (!a.ok) expect(a.message).toMatch(message);
      }
      s.disconnect();
    });
    expect(acks).toHaveLength(4);
    expect(events.filter((e) => e.type === 'rejected').length).toBeGreaterThanOrEqual(4);
    expect(summary.steps).toBe(STEPS);
    expect(summary.testAccuracy).toBeGreaterThan(0.75);
  }, 300_000);
});
