import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { applyControl, createCoordinator, nextEvent as next, runSession, runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistMlp } from '@shardgrad/models';
import { PROTOCOL_VERSION, PortClient } from '@shardgrad/protocol';
import { startInProcessWorkers } from '@shardgrad/worker-node';
import { MessageChannel } from 'node:worker_threads';
import { maxAbsDiff } from '../support/cluster.ts';
import { trainSingleProcess } from '../support/reference.ts';

const BATCH = 48;
const STEPS = 8;
const SEED = 5;

describe('workers as threads of the coordinator process, joined over message ports', () => {
  it('train with the exact result of one process, and a thread that dies mid-run loses nothing', async () => {
    await initNodeBackend('wasm');
    const c = await createCoordinator({ model: 'mnist-mlp', batch: BATCH, seed: SEED });
    // The third is slowed so that it is most likely in the middle of a shard when it is terminated.
    const fleet = startInProcessWorkers(3, (port) => c.attachPort(port), (i) => ({ backend: 'wasm', nickname: `thread-${i}`, slowdown: i === 2 ? 30 : undefined }));
    const events: CoordinatorEvent[] = [];
    c.on('event', (e) => {
      events.push(e);
      if (e.type === 'round' && e.step === 2) void fleet.threads[2]!.terminate();
    });
    try {
      const initial = c.config.state.weights();
      const summary = await runTraining(c, { epochs: 1, maxSteps: STEPS, minWorkers: 3 });
      expect(summary.steps).toBe(STEPS);
      const joined = events.filter((e): e is Extract<CoordinatorEvent, { type: 'worker-joined' }> => e.type === 'worker-joined');
      expect(joined.map((e) => e.worker.nickname).sort()).toEqual(['thread-0', 'thread-1', 'thread-2']);
      expect(joined.every((e) => e.worker.kind === 'thread' && e.worker.backend === 'wasm')).toBe(true);
      expect(events.filter((e) => e.type === 'worker-left')).toHaveLength(1);
      const rounds = events.filter((e): e is Extract<CoordinatorEvent, { type: 'round' }> => e.type === 'round');
      // Every round's samples add up to the batch: nothing lost, nothing counted twice.
      expect(rounds.map((r) => r.samples)).toEqual(Array(STEPS).fill(BATCH));
      expect(rounds.some((r) => r.workers >= 2)).toBe(true);
      const reference = trainSingleProcess(mnistMlp, c.config.dataset, initial, { batch: BATCH, steps: STEPS, seed: SEED });
      expect(maxAbsDiff(reference, initial)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(c.config.state.weights(), reference)).toBeLessThanOrEqual(1e-4);
    } finally {
      c.broadcastStop('test over');
      await fleet.stop();
      await c.close();
    }
  });

  it('admits and refuses over a port as over a socket: a bad hello and a malformed result are refused, and the coordinator stops its threads', async () => {
    await initNodeBackend('wasm');
    const c = await createCoordinator({ model: 'mnist-mlp', batch: 16, seed: 1 });
    const ports: MessageChannel[] = [];
    const connect = async () => {
      const ch = new MessageChannel();
      ports.push(ch);
      c.attachPort(ch.port1);
      const client = new PortClient(ch.port2);
      await new Promise<void>((r) => client.once('connect', r));
      return client;
    };
    try {
      const old = await connect();
      const gone = new Promise<string>((r) => old.once('disconnect', r as never));
      const refusal = await new Promise<{ ok: boolean; reason?: string }>((r) => old.emit('hello', { protocol: PROTOCOL_VERSION + 99, kind: 'node', backend: 'wasm' }, r));
      expect(refusal).toMatchObject({ ok: false, reason: 'protocol-version' });
      expect(await gone).toBe('io server disconnect');

      const w = await connect();
      const joined = await new Promise<{ ok: boolean }>((r) => w.emit('hello', { protocol: PROTOCOL_VERSION, kind: 'node', backend: 'wasm' }, r));
      expect(joined.ok).toBe(true);
      w.emit('ready', { samplesPerSecond: 100 });
      const rejected = new Promise<CoordinatorEvent>((r) => c.on('event', (e) => e.type === 'rejected' && r(e)));
      const ack = await new Promise<{ ok: boolean; reason?: string }>((r) => w.emit('result', { not: 'a header' }, new Uint8Array(8), r));
      expect(ack).toMatchObject({ ok: false, reason: 'malformed' });
      expect(await rejected).toMatchObject({ type: 'rejected', reason: 'malformed' });

      const stopped = new Promise<string>((r) => w.once('stop', r as never));
      c.broadcastStop('done here');
      expect(await stopped).toBe('done here');
    } finally {
      await c.close();
      ports.forEach((ch) => ch.port1.close());
    }
  });

  it("follows the teacher to a new run over the same port, as a socket worker reconnects for it", async () => {
    await initNodeBackend('wasm');
    const c = await createCoordinator({ model: 'mnist-mlp', batch: 16, seed: 1 });
    const fleet = startInProcessWorkers(1, (port) => c.attachPort(port), () => ({ backend: 'wasm', nickname: 'thread' }));
    let quit!: () => void;
    try {
      const firstDone = next(c, 'finished');
      const session = runSession(c, {
        plan: () => ({ epochs: 1, maxSteps: 3, minWorkers: 1 }),
        record: { root: mkdtempSync(join(tmpdir(), 'shardgrad-threads-session-')) },
        allowNewRuns: true,
        keepAlive: true,
        until: new Promise<void>((r) => (quit = r)),
      });
      await firstDone;
      const rejoined = next(c, 'worker-joined');
      const secondDone = next(c, 'finished');
      await applyControl(c, { action: 'new-run', model: 'mnist-mlp', batch: 8 });
      expect(await rejoined).toMatchObject({ worker: { nickname: 'thread', kind: 'thread' } });
      expect(await secondDone).toMatchObject({ type: 'finished', step: 3 });
      quit();
      expect((await session).map((s) => s.steps)).toEqual([3, 3]);
    } finally {
      quit?.();
      c.broadcastStop('test over');
      await fleet.stop();
      await c.close();
    }
  });
});
