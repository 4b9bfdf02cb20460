import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCoordinator } from '@shardgrad/coordinator';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

/** How a worker says it ended (NodeWorkerHandle.ended), which the CLI turns into its exit code. */
describe('a worker ending', () => {
  let cluster: TestCluster;
  const proxies: TcpProxy[] = [];
  const workers: NodeWorkerHandle[] = [];
  /** A worker behind its own proxy, so a test can take its coordinator away as a kill -9 would. */
  const workerBehindProxy = async (reconnectAttempts: number, log?: (e: Record<string, unknown>) => void) => {
    const proxy = await startTcpProxy(cluster.coordinator.url);
    proxies.push(proxy);
    const worker = await startNodeWorker({ url: proxy.url, reconnectAttempts, log });
    workers.push(worker);
    return { proxy, worker };
  };
  beforeAll(async () => {
    cluster = await startTestCluster({ model: 'mnist-mlp', batch: 32, seed: 5 }, []);
  });
  afterAll(async () => {
    workers.forEach((w) => w.close());
    await Promise.all(proxies.map((p) => p.close().catch(() => undefined)));
    await cluster.close();
  });

  it('is "lost" when the coordinator vanishes and reconnection fails', async () => {
    const { proxy, worker } = await workerBehindProxy(2);
    await proxy.close();
    proxy.cut();
    expect(await worker.ended).toMatchObject({ cause: 'lost', reason: expect.stringMatching(/reconnection attempts failed/) });
  });

  it('is "closed" at once when closed while it reconnects (the socket is already down)', async () => {
    let dropped!: () => void;
    const disconnected = new Promise<void>((r) => (dropped = r));
    const { proxy, worker } = await workerBehindProxy(1000, (e) => e.type === 'disconnected' && dropped());
    await proxy.close();
    proxy.cut();
    await disconnected;
    worker.close();
    expect(await worker.ended).toMatchObject({ cause: 'closed' });
  });

  it('waits for a coordinator that shut down without a stop (a restart) and rejoins the one that comes back on its address', async () => {
    const first = await createCoordinator({ model: 'mnist-mlp', batch: 32, seed: 5, port: 0 });
    const port = Number(new URL(first.url).port);
    const events: string[] = [];
    let rejoined!: () => void;
    const back = new Promise<void>((r) => (rejoined = r));
    let joins = 0;
    const worker = await startNodeWorker({
      url: first.url,
      reconnectAttempts: 1000,
      log: (e) => {
        events.push(String(e.type));
        if (e.type === 'joined' || e.type === 'resumed' || e.type === 'rejoined') joins++;
        if (joins === 2) rejoined();
      },
    });
    workers.push(worker);
    await first.close();
    const second = await createCoordinator({ model: 'mnist-mlp', batch: 32, seed: 5, port });
    try {
      await Promise.race([back, worker.ended.then((e) => Promise.reject(new Error(`the worker ended: ${JSON.stringify(e)}`)))]);
      expect(events).toContain('disconnected');
      await vi.waitFor(() => expect(second.pool.size).toBe(1));
      second.broadcastStop('training finished');
      expect(await worker.ended).toMatchObject({ cause: 'stopped' });
    } finally {
      await second.close();
    }
  });

  it('is "stopped" with the reason when the coordinator says training finished', async () => {
    const worker = await startNodeWorker({ url: cluster.coordinator.url });
    workers.push(worker);
    cluster.coordinator.broadcastStop('training finished');
    expect(await worker.ended).toEqual({ cause: 'stopped', reason: 'training finished' });
    expect(await worker.done).toBe('training finished');
  });
});
