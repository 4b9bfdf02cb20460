import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { PortServer, type ClientToServerEvents, type PortLike, type ServerToClientEvents } from '@shardgrad/protocol';

/**
 * What admitting a worker needs of its connection: a socket.io socket, or a PortServerConnection
 * for a worker thread of this process. Payloads are validated on arrival either way.
 */
export interface WorkerSocket {
  readonly id: string;
  readonly handshake: { address: string };
  use(fn: (packet: [string, ...unknown[]], next: (err?: Error) => void) => void): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(close?: boolean): unknown;
}

export interface WorkerLinksOptions {
  /** The largest message a link must carry (socket.io drops bigger ones silently). */
  messageLimit: number;
  /** Decides whether an HTTP request may open a socket at all (admission.ts). */
  allowRequest: (req: IncomingMessage, cb: (err: string | null | undefined, ok: boolean) => void) => void;
  /** Called with each new connection, from either transport. */
  admit: (conn: WorkerSocket) => void;
}

/**
 * Every way a worker reaches the coordinator: socket.io on the HTTP server (machines, tabs) and
 * message ports (threads of this process, port-link.ts). Broadcasts, drops and shutdown reach both.
 */
export class WorkerLinks {
  private readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly ports = new Set<PortServer>();

  constructor(
    http: HttpServer,
    private readonly o: WorkerLinksOptions,
  ) {
    this.io = new Server(http, {
      maxHttpBufferSize: o.messageLimit,
      perMessageDeflate: false,
      // A worker computes synchronously (a big shard, a batch of episodes) and cannot answer pings
      // meanwhile; on a busy laptop that takes far longer than socket.io's 20 s default allows.
      pingTimeout: 120_000,
      cors: { origin: true },
      // A cross-origin page that is not on the list gets no socket at all (admission.ts).
      allowRequest: o.allowRequest,
    });
    this.io.on('connection', (s) => o.admit(s as unknown as WorkerSocket));
  }

  /** Another socket.io namespace on this server (the dashboard's, the class stats'). */
  of(name: string) {
    return this.io.of(name);
  }

  /**
   * Admits a worker thread's connections over `port`: it joins as a socket would, with a hello, and
   * may connect again over the same port after being dropped.
   */
  attachPort(port: PortLike): void {
    const server = new PortServer(port, (conn) => this.o.admit(conn), 'thread');
    this.ports.add(server);
    port.on('close', () => this.ports.delete(server));
  }

  /** Raises the socket message limit; it applies to connections made from now on. */
  raiseMessageLimit(limit: number): void {
    this.io.engine.opts.maxHttpBufferSize = Math.max(this.io.engine.opts.maxHttpBufferSize ?? 0, limit);
    const ws = (this.io.engine as unknown as { ws?: { options?: { maxPayload?: number } } }).ws;
    if (ws?.options) ws.options.maxPayload = Math.max(ws.options.maxPayload ?? 0, limit);
  }

  /** To every connected worker, over either transport. */
  emit<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    (this.io.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    for (const conn of this.portConnections()) conn.emit(event, ...args);
  }

  /** Drops every worker; with `close`, socket.io also closes the underlying connections. */
  disconnectAll(close: boolean): void {
    this.io.disconnectSockets(close);
    for (const conn of this.portConnections()) conn.disconnect();
  }

  close(): Promise<void> {
    return new Promise<void>((r) => this.io.close(() => r()));
  }

  private portConnections() {
    return [...this.ports].flatMap((s) => (s.connection ? [s.connection] : []));
  }
}
