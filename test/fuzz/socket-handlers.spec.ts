import fc from 'fast-check';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTraining } from '@shardgrad/coordinator';
import { PROTOCOL_VERSION } from '@shardgrad/protocol';
import { encodeTensors } from '@shardgrad/codec';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { prototypeFingerprint } from './properties.ts';

/**
 * The coordinator's socket handlers under random traffic: random events with random arguments,
 * before and after a valid hello, on real sockets, while a real worker trains. Afterwards the
 * server answers, prototypes are untouched and training still completes.
 */
describe('fuzzing the coordinator over sockets', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ model: 'playground', batch: 32, seed: 1 }, [{ nickname: 'honest', reconnect: false }]);
    cluster.coordinator.admission.configure({ maxTabsPerIp: 10_000, maxTabsPerNickname: 10_000 });
  });
  afterAll(async () => cluster?.close());

  it('survives 150 sessions of random messages and keeps training', async () => {
    const c = cluster.coordinator;
    const before = prototypeFingerprint();
    const training = runTraining(c, { epochs: 1000, maxSteps: 1_000_000, minWorkers: 1 });
    const arg = fc.oneof(
      fc.anything({ maxDepth: 3, withTypedArray: true }),
      fc.uint8Array({ maxLength: 2048 }),
      fc.record({ protocol: fc.constant(PROTOCOL_VERSION), kind: fc.constantFrom('node', 'browser', 'x'), backend: fc.string(), token: fc.string(), resume: fc.string() }, { requiredKeys: [] }),
      fc.record({ runId: fc.constant(c.runId), round: fc.nat(50), version: fc.nat(50), shardId: fc.nat(8), count: fc.integer({ min: -1, max: 100 }), loss: fc.double(), schemaHash: fc.constant(c.config.state.schemaHash), computeMs: fc.double() }, { requiredKeys: [] }),
      fc.constant(encodeTensors(c.config.state.specs.map((s) => ({ shape: [...s.shape], dtype: 'float32' as const, data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) })))),
    );
    const message = fc.tuple(fc.constantFrom('hello', 'ready', 'result', 'leave', 'task', 'stop', '__proto__', 'constructor'), fc.array(arg, { maxLength: 3 }));
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(message, { minLength: 1, maxLength: 8 }), async (helloFirst, messages) => {
        const s = io(c.url, { transports: ['websocket'], reconnection: false, forceNew: true });
        await new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        });
        if (helloFirst) {
          await s.timeout(10_000).emitWithAck('hello', { protocol: PROTOCOL_VERSION, kind: 'node', backend: 'fuzz' }).catch(() => undefined);
          s.emit('ready', {});
        }
        for (const [event, args] of messages) s.emit(event, ...args);
        // Once admitted, a round trip that needs the server to have handled everything before it.
        if (helloFirst && s.connected) await s.timeout(5_000).emitWithAck('result', {}, new Uint8Array(1)).catch(() => undefined);
        s.disconnect();
      }),
      { numRuns: 150, seed: 42 },
    );
    const health = await fetch(`${c.url}/healthz`);
    expect(health.status).toBe(200);
    expect(prototypeFingerprint()).toBe(before);
    const stepBefore = c.position.step;
    // Training still moves: wait for a few more rounds, then stop it.
    await new Promise<void>((resolve) => {
      const on = (e: { type: string; step?: number }) => {
        if (e.type === 'round' && (e.step ?? 0) >= stepBefore + 3) {
          c.off('event', on);
          resolve();
        }
      };
      c.on('event', on);
    });
    c.control.stop();
    const summary = await training;
    expect(summary.steps).toBeGreaterThanOrEqual(stepBefore + 3);
    expect(Number.isFinite(summary.trainLoss)).toBe(true);
  });
});
