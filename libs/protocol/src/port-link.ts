/**
 * The coordinator's protocol over a message port instead of a socket, for workers that run as
 * threads of the coordinator's own process. The events, acknowledgements and disconnect reasons
 * are socket.io's, so the coordinator admits such a worker, and the worker runs, with the same
 * code as over the network. What it saves is the network stack: socket.io's framing and TCP on
 * loopback. Messages are structured clones, except big binary arrays, which are copied and
 * transferred (TRANSFER_BYTES).
 *
 * One port carries successive connections: a worker that is disconnected (a new run, a refusal)
 * can connect again over the same port, as a socket.io client reconnects.
 */

/** The part of Node's MessagePort that a link uses. */
export interface PortLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  close(): void;
}

type Frame =
  | { t: 'open'; c: number }
  | { t: 'opened'; c: number }
  | { t: 'event'; c: number; event: string; args: unknown[]; ack?: number }
  | { t: 'ack'; c: number; id: number; args: unknown[] }
  | { t: 'close'; c: number };

type Listener = (...args: never[]) => void;
type Middleware = (packet: [string, ...unknown[]], next: (err?: Error) => void) => void;

/** socket.io's reasons, as each side sees who ended the connection. */
export const PORT_REASONS = {
  serverClosedIt: { server: 'server namespace disconnect', client: 'io server disconnect' },
  clientClosedIt: { server: 'client namespace disconnect', client: 'io client disconnect' },
  portClosed: { server: 'transport close', client: 'transport close' },
} as const;

/**
 * Binary data this big or bigger travels as a private copy whose buffer is transferred: the
 * structured clone of a 400 kB array cost the sender ~0.5 ms, a copy ~0.05 ms.
 */
const TRANSFER_BYTES = 16 * 1024;

/**
 * Prepares arguments for postMessage. A typed array is cloned with its whole buffer, so a view of
 * part of one (a task's indices are a slice of the epoch's order) is copied down to its own bytes;
 * big arrays are copied into buffers of their own, which go in `transfer`. The sender's arrays are
 * never detached.
 */
function compact(value: unknown, transfer: ArrayBuffer[]): unknown {
  if (ArrayBuffer.isView(value)) {
    const whole = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
    const big = value.byteLength >= TRANSFER_BYTES;
    if (whole && !big) return value;
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
    if (big) transfer.push(bytes.buffer);
    // Bytes arrive as a plain Uint8Array, as a cloned Node Buffer would (and `new Buffer` is deprecated).
    if (value instanceof Uint8Array) return bytes;
    if (value instanceof DataView) return new DataView(bytes.buffer);
    const C = value.constructor as new (b: ArrayBuffer) => ArrayBufferView;
    return new C(bytes.buffer);
  }
  if (Array.isArray(value)) return value.map((v) => compact(v, transfer));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v, transfer)]));
  }
  return value;
}

/** Posts a frame whose `args` are compacted, transferring the big buffers. */
function post(port: PortLike, frame: Frame & { args: unknown[] }): void {
  const transfer: ArrayBuffer[] = [];
  port.postMessage({ ...frame, args: frame.args.map((a) => compact(a, transfer)) }, transfer);
}

/** One connection's events, acknowledgements and middleware: what both ends share. */
class Endpoint {
  connected = false;
  private listeners = new Map<string, Set<Listener>>();
  private acks = new Map<number, (...args: unknown[]) => void>();
  private nextAck = 0;
  private middleware: Middleware[] = [];
  /** Acknowledgements not yet posted (see reply). */
  private acksOut: Frame[] = [];
  private acksScheduled = false;

  constructor(
    protected readonly port: PortLike,
    protected c: number,
    readonly id: string,
  ) {}

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped = ((...args: never[]) => {
      this.off(event, wrapped);
      listener(...args);
    }) as Listener;
    return this.on(event, wrapped);
  }

  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  /** Runs before each incoming event's listeners, as socket.io's `socket.use`; next(err) drops it. */
  use(fn: Middleware): this {
    this.middleware.push(fn);
    return this;
  }

  emit(event: string, ...args: unknown[]): boolean {
    if (!this.connected) return false;
    let ack: number | undefined;
    if (typeof args[args.length - 1] === 'function') {
      ack = this.nextAck++;
      this.acks.set(ack, args.pop() as (...a: unknown[]) => void);
    }
    this.flushAcks();
    post(this.port, { t: 'event', c: this.c, event, args, ack });
    return true;
  }

  /** Calls the listeners of a local event (connect, disconnect). */
  protected fire(event: string, args: unknown[]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) (l as (...a: unknown[]) => void)(...args);
  }

  protected receive(f: Frame): void {
    if (f.c !== this.c || !this.connected) return;
    if (f.t === 'ack') {
      const fn = this.acks.get(f.id);
      this.acks.delete(f.id);
      fn?.(...f.args);
    } else if (f.t === 'event') {
      const c = this.c;
      const args = f.ack === undefined ? f.args : [...f.args, (...reply: unknown[]) => this.reply(c, f.ack!, reply)];
      this.pass(0, [f.event, ...args] as [string, ...unknown[]]);
    }
  }

  /** Ends the connection from this side: what was acknowledged still arrives first, in order, as over socket.io. */
  protected hangUp(reason: string): void {
    if (!this.connected) return;
    this.flushAcks();
    this.port.postMessage({ t: 'close', c: this.c } satisfies Frame);
    this.dropped(reason);
  }

  protected dropped(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.acks.clear();
    this.fire('disconnect', [reason]);
  }

  /**
   * An acknowledgement goes out with the next event, or once the current work is done. Posting
   * wakes the other thread, and on two cores the woken worker took the coordinator's core in the
   * middle of the round's aggregation; the worker has nothing to do with the ack before its next task.
   */
  private reply(c: number, id: number, args: unknown[]): void {
    if (!this.connected || this.c !== c) return;
    this.acksOut.push({ t: 'ack', c, id, args });
    if (this.acksScheduled) return;
    this.acksScheduled = true;
    (globalThis.setImmediate ?? setTimeout)(() => this.flushAcks());
  }

  private flushAcks(): void {
    this.acksScheduled = false;
    for (const f of this.acksOut.splice(0)) if (this.connected && f.c === this.c) post(this.port, f as Frame & { args: unknown[] });
  }

  private pass(i: number, packet: [string, ...unknown[]]): void {
    const mw = this.middleware[i];
    if (!mw) return this.fire(packet[0], packet.slice(1));
    mw(packet, (err) => {
      if (!err) this.pass(i + 1, packet);
    });
  }
}

/** The coordinator's side of one connection: what `admit` reads from a socket.io socket. */
export class PortServerConnection extends Endpoint {
  readonly handshake = { address: 'in-process' };

  constructor(port: PortLike, c: number, id: string) {
    super(port, c, id);
    this.connected = true;
  }

  disconnect(_close?: boolean): this {
    this.hangUp(PORT_REASONS.serverClosedIt.server);
    return this;
  }

  /** @internal PortServer routes the port's frames here; another connection's are not ours. */
  deliver(f: Frame): void {
    if (f.c !== this.c) return;
    if (f.t === 'close') this.dropped(PORT_REASONS.clientClosedIt.server);
    else this.receive(f);
  }

  /** @internal The port itself closed: the thread ended. */
  portClosed(): void {
    this.dropped(PORT_REASONS.portClosed.server);
  }
}

/**
 * Listens on a port for the worker's connections: `onConnection` gets each one, as socket.io's
 * 'connection' event would. `connection` is the live one, if any (for broadcasts and shutdown).
 */
export class PortServer {
  private current: PortServerConnection | undefined;
  private serial = 0;

  constructor(
    private readonly port: PortLike,
    private readonly onConnection: (conn: PortServerConnection) => void,
    private readonly idPrefix = 'port',
  ) {
    port.on('message', (m) => this.route(m as Frame));
    port.on('close', () => this.current?.portClosed());
  }

  get connection(): PortServerConnection | undefined {
    return this.current?.connected ? this.current : undefined;
  }

  private route(f: Frame): void {
    if (f.t === 'open') {
      // A new connection replaces the old one (the client dropped it and came back).
      this.current?.portClosed();
      this.current = new PortServerConnection(this.port, f.c, `${this.idPrefix}-${++this.serial}`);
      this.port.postMessage({ t: 'opened', c: f.c } satisfies Frame);
      this.onConnection(this.current);
    } else {
      this.current?.deliver(f);
    }
  }
}

/**
 * The worker's side: the part of socket.io-client's Socket that a worker uses. It connects at
 * once; `connect()` after a disconnect opens a new connection over the same port.
 */
export class PortClient extends Endpoint {
  /** No automatic reconnection: a thread's port does not drop the way a network does. */
  readonly active = false;
  /** socket.io-client's Manager, for `io.on('reconnect_failed')`: it never fires here. */
  readonly io = { on: (_event: string, _listener: Listener) => undefined };
  private portOpen = true;

  constructor(port: PortLike) {
    super(port, 0, 'port-client');
    port.on('message', (m) => this.frame(m as Frame));
    port.on('close', () => {
      this.portOpen = false;
      this.dropped(PORT_REASONS.portClosed.client);
    });
    this.connect();
  }

  connect(): this {
    if (this.connected || !this.portOpen) return this;
    this.c++;
    this.port.postMessage({ t: 'open', c: this.c } satisfies Frame);
    return this;
  }

  disconnect(): this {
    this.hangUp(PORT_REASONS.clientClosedIt.client);
    return this;
  }

  private frame(f: Frame): void {
    if (f.c !== this.c) return;
    if (f.t === 'opened') {
      this.connected = true;
      this.fire('connect', []);
    } else if (f.t === 'close') {
      this.dropped(PORT_REASONS.serverClosedIt.client);
    } else {
      this.receive(f);
    }
  }
}
