import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from './token-bucket.ts';
import type { WorkerSocket } from './worker-links.ts';
import { FLOOD_LIMIT, HELLO_TIMEOUT_MS, JUNK_LIMIT, READY_TIMEOUT_MS, WorkerSession, type SessionHandlers } from './worker-session.ts';

type Middleware = (packet: [string, ...unknown[]], next: (err?: Error) => void) => void;

/** A socket the test speaks through: what the session sent back, and whether it hung up. */
function fakeSocket() {
  const middleware: Middleware[] = [];
  const gone: (() => void)[] = [];
  const socket = {
    id: 's1',
    handshake: { address: '10.0.0.1' },
    sent: [] as unknown[][],
    closed: false,
    use: (fn: Middleware) => middleware.push(fn),
    on: (event: string, fn: () => void) => event === 'disconnect' && gone.push(fn),
    once: (event: string, fn: () => void) => event === 'disconnect' && gone.push(fn),
    emit: (...args: unknown[]) => socket.sent.push(args),
    disconnect: () => {
      socket.closed = true;
      gone.splice(0).forEach((f) => f());
    },
  };
  /** An event from the peer; with `ask`, it asks for an answer, which is returned. */
  const send = (event: string, args: unknown[], ask = true) => {
    let answer: unknown = 'no answer';
    const packet = [event, ...args, ...(ask ? [(r: unknown) => (answer = r)] : [])] as [string, ...unknown[]];
    for (const m of middleware) m(packet, () => undefined);
    return answer;
  };
  return { socket, send };
}

function session(opts: { burst?: number; admit?: boolean; readyTimeoutMs?: number } = {}) {
  const { socket, send } = fakeSocket();
  const calls: string[] = [];
  const drops: string[] = [];
  const handlers: SessionHandlers = {
    hello: (_raw, reply) => {
      calls.push('hello');
      reply({ ok: opts.admit ?? true });
      if (opts.admit === false) socket.disconnect();
      return opts.admit ?? true;
    },
    ready: () => void calls.push('ready'),
    result: (header, payload, reply) => {
      calls.push(`result ${payload === undefined ? 'without payload' : 'with payload'}`);
      reply({ ok: true, header });
    },
    dropped: (reason) => void drops.push(reason),
  };
  const s = new WorkerSession(socket as unknown as WorkerSocket, handlers, { limiter: new TokenBucket(opts.burst ?? 1000, 0), readyTimeoutMs: opts.readyTimeoutMs });
  return { s, socket, send, calls, drops };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('WorkerSession', () => {
  it('answers every event out of its place, and passes on the expected ones in order', () => {
    const { send, calls } = session();
    expect(send('result', [{}, new Uint8Array(4)])).toMatchObject({ ok: false, reason: 'out-of-order', message: 'result before hello' });
    expect(send('bogus-event', [1])).toMatchObject({ ok: false, reason: 'unknown-event' });
    expect(send('ready', [{}])).toMatchObject({ ok: false, reason: 'out-of-order', message: 'ready before hello' });
    expect(send('hello', [{}])).toEqual({ ok: true });
    expect(send('hello', [{}])).toMatchObject({ ok: false, reason: 'out-of-order', message: 'hello was already said on this connection' });
    expect(send('result', [{}, new Uint8Array(4)])).toMatchObject({ ok: false, reason: 'out-of-order', message: 'result before ready' });
    send('ready', [{}], false);
    expect(send('ready', [{}])).toMatchObject({ ok: false, reason: 'out-of-order', message: 'ready after ready' });
    expect(send('result', [{ h: 1 }, new Uint8Array(4)])).toEqual({ ok: true, header: { h: 1 } });
    expect(calls).toEqual(['hello', 'ready', 'result with payload']);
  });

  it('takes the acknowledgement from the last argument: a result without its payload is still answered', () => {
    const { send, calls } = session();
    send('hello', [{}]);
    send('ready', [{}], false);
    expect(send('result', [{ h: 2 }])).toEqual({ ok: true, header: { h: 2 } });
    expect(calls).toContain('result without payload');
  });

  it('drops a socket that says hello but never ready, after the ready timeout; not one that does', () => {
    const late = session({ readyTimeoutMs: 1000 });
    late.send('hello', [{}]);
    vi.advanceTimersByTime(999);
    expect(late.socket.closed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(late.socket.closed).toBe(true);
    expect(late.drops).toEqual(['timed-out']);
    expect(late.socket.sent).toContainEqual(['stop', expect.stringMatching(/^timed-out: no ready/)]);

    const prompt = session({ readyTimeoutMs: 1000 });
    prompt.send('hello', [{}]);
    prompt.send('ready', [{}], false);
    vi.advanceTimersByTime(READY_TIMEOUT_MS * 2);
    expect(prompt.socket.closed).toBe(false);
  });

  it('keeps the hello timeout, and the default ready timeout is generous', () => {
    const { socket } = session();
    vi.advanceTimersByTime(HELLO_TIMEOUT_MS);
    expect(socket.closed).toBe(true);
    expect(READY_TIMEOUT_MS).toBeGreaterThanOrEqual(120_000);
  });

  it('rate-limits everything but a joined worker\'s results, results before ready included, and closes a flood', () => {
    const { send, socket, drops } = session({ burst: 3 });
    send('hello', [{}]);
    const answers = Array.from({ length: FLOOD_LIMIT + 5 }, () => send('result', [{}, new Uint8Array(900 * 1024)]));
    expect(answers.slice(0, 2)).toMatchObject([{ reason: 'out-of-order' }, { reason: 'out-of-order' }]);
    expect(answers[2]).toMatchObject({ ok: false, reason: 'rate-limited' });
    expect(socket.closed).toBe(true);
    expect(drops).toEqual(['rate-limited']);
  });

  it('closes a socket that keeps sending events out of their place, however slowly', () => {
    const { send, socket, drops } = session();
    for (let i = 0; i < JUNK_LIMIT; i++) send('bogus', [i], false);
    expect(socket.closed).toBe(true);
    expect(drops).toEqual(['unknown-event']);
  });

  it('lets a refused hello end the connection without waiting for ready', () => {
    const { send, socket } = session({ admit: false });
    expect(send('hello', [{}])).toEqual({ ok: false });
    expect(socket.closed).toBe(true);
  });
});
