import type { RejectReason } from '@shardgrad/protocol';
import type { TokenBucket } from './token-bucket.ts';
import type { WorkerSocket } from './worker-links.ts';

/** A worker that has not said hello within this time is dropped: it holds a socket and does nothing. */
export const HELLO_TIMEOUT_MS = 15_000;
/**
 * A worker admitted at hello that has not said ready within this time is dropped, and its place
 * (a tab slot of its address, its nickname) freed. A tab calibrates its backends before its hello,
 * so it says ready at once; a Node worker loads the dataset, builds the model and times a warm-up
 * gradient in between, which on a loaded machine with a large model takes tens of seconds, each
 * blocking stretch within the 120 s ping timeout. Five minutes leaves room for all of that.
 */
export const READY_TIMEOUT_MS = 300_000;
/** Messages dropped over the rate limit before the socket is closed. */
export const FLOOD_LIMIT = 50;
/**
 * Events refused for their place in the protocol (or for being no event of it) before the socket is
 * closed. An honest worker sends one now and then (a result finished while it reconnects); a stream
 * of them, each up to a gradient's size, is someone else. A fast stream meets the rate limit first.
 */
export const JUNK_LIMIT = 50;

/** Where a connection stands in the protocol: hello, then ready, then tasks and results. */
export type SessionStage = 'new' | 'greeted' | 'ready';

/** The acknowledgement function a peer asked for (always the last argument), or one that does nothing. */
export type Reply = (r: unknown) => void;

export interface SessionHandlers {
  /** True when the worker is admitted; a refused one has been answered and disconnected. */
  hello(raw: unknown, reply: Reply): boolean;
  /** The worker joins the pool; results are welcome from now on. */
  ready(raw: unknown): void;
  result(header: unknown, payload: unknown, reply: Reply): void;
  /** The socket was closed for something it did (flood, silence): for the operator's log. */
  dropped(reason: RejectReason, message: string, stage: SessionStage): void;
}

export interface SessionOptions {
  limiter: TokenBucket;
  helloTimeoutMs?: number;
  readyTimeoutMs?: number;
}

const KNOWN = new Set(['hello', 'ready', 'result', 'leave']);
/** The one event each stage waits for; 'leave' is fine at any point. */
const EXPECTED: Record<SessionStage, string> = { new: 'hello', greeted: 'ready', ready: 'result' };

/**
 * One connection's side of the protocol. Every event passes through here, in order: the one its
 * stage expects goes to the coordinator, anything else (a second hello, a result before ready, an
 * event nobody knows) is answered with a refusal, so a peer that asked for an answer always gets
 * one. Results from a joined worker are exempt from the rate limit (strikes account for them);
 * everything else counts against it, and a socket that keeps flooding is closed. A socket that
 * stays silent at hello or at ready is closed too, freeing what it holds.
 */
export class WorkerSession {
  stage: SessionStage = 'new';
  private dropped = 0;
  private junk = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: WorkerSocket,
    private readonly handlers: SessionHandlers,
    private readonly o: SessionOptions,
  ) {
    this.arm(o.helloTimeoutMs ?? HELLO_TIMEOUT_MS, 'hello');
    // The only dispatcher: no event goes on to listeners of the socket's own (next is never called).
    socket.use((packet) => this.receive(packet[0], packet.slice(1)));
    socket.once('disconnect', () => this.disarm());
  }

  private receive(event: string, raw: unknown[]): void {
    const args = [...raw];
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Reply) : undefined;
    const reply: Reply = ack ?? (() => undefined);
    const refuse = (reason: RejectReason, message: string) => reply({ ok: false, reason, message });
    const exempt = event === 'result' && this.stage === 'ready';
    if (!exempt && !this.o.limiter.take()) {
      refuse('rate-limited', 'too many messages; slow down');
      if (++this.dropped === FLOOD_LIMIT) this.close('rate-limited', `more than ${FLOOD_LIMIT} messages over the rate limit`);
      return;
    }
    if (event === 'leave') {
      this.socket.disconnect(true);
      return;
    }
    if (!KNOWN.has(event)) return this.refuseJunk(reply, 'unknown-event', `"${String(event).slice(0, 40)}" is not an event of this protocol`);
    if (event !== EXPECTED[this.stage]) return this.refuseJunk(reply, 'out-of-order', outOfOrder(event, this.stage));
    if (event === 'hello') {
      this.disarm();
      if (!this.handlers.hello(args[0], reply)) return;
      this.stage = 'greeted';
      this.arm(this.o.readyTimeoutMs ?? READY_TIMEOUT_MS, 'ready');
      return;
    }
    if (event === 'ready') {
      this.disarm();
      this.stage = 'ready';
      this.handlers.ready(args[0]);
      return;
    }
    this.handlers.result(args[0], args[1], reply);
  }

  private refuseJunk(reply: Reply, reason: RejectReason, message: string): void {
    reply({ ok: false, reason, message });
    if (++this.junk === JUNK_LIMIT) this.close(reason, `${JUNK_LIMIT} events out of place in the protocol, the last: ${message}`);
  }

  private arm(ms: number, waitingFor: 'hello' | 'ready'): void {
    this.disarm();
    this.timer = setTimeout(() => this.close('timed-out', `no ${waitingFor} within ${Math.round(ms / 1000)} s`), ms);
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private close(reason: RejectReason, message: string): void {
    this.disarm();
    this.handlers.dropped(reason, message, this.stage);
    this.socket.emit('stop', `${reason}: ${message}`);
    this.socket.disconnect(true);
  }
}

function outOfOrder(event: string, stage: SessionStage): string {
  if (event === 'hello') return 'hello was already said on this connection';
  if (stage === 'new') return `${event} before hello`;
  if (stage === 'greeted') return `${event} before ready`;
  return `${event} after ready`;
}
