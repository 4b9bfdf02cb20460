import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { PortClient, PortServer, type PortServerConnection } from './port-link.ts';

const channels: MessageChannel[] = [];
afterEach(() => channels.splice(0).forEach((ch) => ch.port1.close()));

/** A server and a client joined by a real MessageChannel; resolves once the client is connected. */
async function link() {
  const ch = new MessageChannel();
  channels.push(ch);
  const connections: PortServerConnection[] = [];
  new PortServer(ch.port1, (conn) => connections.push(conn));
  const client = new PortClient(ch.port2);
  await new Promise<void>((r) => client.once('connect', r));
  return { client, connections, ch };
}

const next = <T>(subscribe: (resolve: (v: T) => void) => void) => new Promise<T>((r) => subscribe(r));

describe('PortClient and PortServer: the worker protocol over a message port', () => {
  it('carries events both ways, with acknowledgements', async () => {
    const { client, connections } = await link();
    const server = connections[0]!;
    expect(server.connected && client.connected).toBe(true);
    server.on('hello', ((hello: { kind: string }, ack: (r: unknown) => void) => ack({ ok: true, kind: hello.kind })) as never);
    const reply = await next<unknown>((r) => client.emit('hello', { kind: 'node' }, r));
    expect(reply).toEqual({ ok: true, kind: 'node' });
    const task = next<unknown>((r) => client.on('task', r as never));
    server.emit('task', { round: 3 });
    expect(await task).toEqual({ round: 3 });
  });

  it('sends a view of part of a buffer as its own bytes, and leaves the sender\'s big arrays usable', async () => {
    const { client, connections } = await link();
    const order = Uint32Array.from({ length: 1000 }, (_, i) => i);
    const weights = new Uint8Array(100_000).fill(7);
    const got = next<[Uint32Array, Uint8Array]>((r) => client.on('task', ((i: Uint32Array, w: Uint8Array) => r([i, w])) as never));
    connections[0]!.emit('task', order.subarray(10, 14), weights);
    const [indices, bytes] = await got;
    expect([...indices]).toEqual([10, 11, 12, 13]);
    expect(indices.buffer.byteLength).toBe(16);
    expect(bytes.length).toBe(100_000);
    expect(bytes[99_999]).toBe(7);
    // The big array travelled as a transferred copy: the sender still has its own.
    expect(weights.byteLength).toBe(100_000);
    expect(weights[0]).toBe(7);
  });

  it('delivers an acknowledgement given just before the server drops the worker, ahead of the drop', async () => {
    const { client, connections } = await link();
    const server = connections[0]!;
    server.on('hello', ((_h: unknown, ack: (r: unknown) => void) => {
      ack({ ok: false, reason: 'protocol-version' });
      server.disconnect(true);
    }) as never);
    const order: string[] = [];
    const gone = next<void>((r) => client.once('disconnect', ((reason: string) => (order.push(reason), r())) as never));
    client.emit('hello', {}, (reply: { reason: string }) => order.push(reply.reason));
    await gone;
    expect(order).toEqual(['protocol-version', 'io server disconnect']);
  });

  it('runs middleware before listeners, and an error from it drops the event', async () => {
    const { client, connections } = await link();
    const server = connections[0]!;
    const seen: string[] = [];
    server.use(([event], nextFn) => (event === 'flood' ? nextFn(new Error('rate-limited')) : nextFn()));
    server.on('flood', () => seen.push('flood'));
    const ready = next<void>((r) => server.on('ready', (() => r()) as never));
    client.emit('flood');
    client.emit('ready', {});
    await ready;
    expect(seen).toEqual([]);
  });

  it("gives socket.io's reasons on both sides when the server drops the worker, and the worker can connect again over the same port", async () => {
    const { client, connections } = await link();
    const clientGone = next<string>((r) => client.once('disconnect', r as never));
    const serverGone = next<string>((r) => connections[0]!.once('disconnect', r as never));
    connections[0]!.disconnect(true);
    expect(await clientGone).toBe('io server disconnect');
    expect(await serverGone).toBe('server namespace disconnect');
    expect(client.connected).toBe(false);
    // Nothing goes out while disconnected.
    expect(client.emit('ready', {})).toBe(false);
    client.connect();
    await next<void>((r) => client.once('connect', r));
    expect(connections).toHaveLength(2);
    expect(connections[1]!.id).not.toBe(connections[0]!.id);
    // The old connection stays dead: an ack for it is never delivered to the new one.
    const hello = next<unknown>((r) => connections[1]!.on('hello', r as never));
    client.emit('hello', { again: true });
    expect(await hello).toEqual({ again: true });
  });

  it('tells the server when the worker leaves, and both sides when the port closes', async () => {
    const a = await link();
    const left = next<string>((r) => a.connections[0]!.once('disconnect', r as never));
    a.client.disconnect();
    expect(await left).toBe('client namespace disconnect');

    const b = await link();
    const serverSaw = next<string>((r) => b.connections[0]!.once('disconnect', r as never));
    const clientSaw = next<string>((r) => b.client.once('disconnect', r as never));
    b.ch.port2.close();
    expect(await serverSaw).toBe('transport close');
    expect(await clientSaw).toBe('transport close');
    // A closed port cannot connect again.
    b.client.connect();
    expect(b.client.connected).toBe(false);
  });
});
