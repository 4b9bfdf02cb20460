import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP relay between a worker and the coordinator whose connections a test can cut: the
 * network dropping under a live socket, as a tab on flaky Wi-Fi sees it.
 */
export interface TcpProxy {
  url: string;
  /** Destroys every open connection at once (both directions); new ones are accepted as before. */
  cut(): void;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const open = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => undefined);
      s.on('close', () => open.delete(s));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => [...open].forEach((s) => s.destroy()),
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((r) => {
        [...open].forEach((s) => s.destroy());
        server.close(() => r());
      }),
  };
}
