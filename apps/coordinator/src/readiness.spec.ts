import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Coordinator } from './coordinator.ts';
import type { CoordinatorEvent } from './events.ts';
import { HttpRoutes } from './http-routes.ts';
import { Readiness } from './readiness.ts';

/** Just what Readiness uses of a coordinator: its events and its routes, behind a real HTTP server. */
async function serve() {
  const c = Object.assign(new EventEmitter<{ event: [CoordinatorEvent] }>(), { routes: new HttpRoutes() });
  const readiness = new Readiness(c as unknown as Coordinator);
  const server = createServer((req, res) => void c.routes.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
  const get = async () => {
    const res = await fetch(url);
    return { status: res.status, body: await res.json() };
  };
  return { c, readiness, get };
}

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

describe('GET /readyz', () => {
  it('answers 503 until the training loop waits for workers, then 200', async () => {
    const { c, get } = await serve();
    expect(await get()).toEqual({ status: 503, body: { ready: false, phase: 'starting' } });
    c.emit('event', { type: 'waiting', needed: 2, have: 0 });
    expect(await get()).toEqual({ status: 200, body: { ready: true, phase: 'waiting-for-workers' } });
  });

  it('says training as soon as the first round goes out, not only when it comes back (a big model\'s first round takes a minute)', async () => {
    const { readiness, get } = await serve();
    readiness.roundsBegin();
    expect(await get()).toEqual({ status: 200, body: { ready: true, phase: 'training' } });
  });

  it("follows the loop: rounds, waits, a run's end and the next run", async () => {
    const { c, readiness, get } = await serve();
    const round = { type: 'round', round: 0, step: 1, epoch: 0, loss: 1, metrics: {}, samples: 8, roundMs: 1, workers: 1, reassigned: 0 } as unknown as CoordinatorEvent;
    c.emit('event', round);
    expect((await get()).body.phase).toBe('training');
    c.emit('event', { type: 'waiting', needed: 2, have: 1 });
    expect((await get()).body.phase).toBe('waiting-for-workers');
    c.emit('event', { type: 'finished', step: 1, reason: 'completed' });
    expect(await get()).toEqual({ status: 200, body: { ready: true, phase: 'finished' } });
    c.emit('event', { type: 'waiting', needed: 2, have: 1 });
    expect((await get()).body.phase).toBe('waiting-for-workers');
    readiness.finish();
    expect(await get()).toEqual({ status: 200, body: { ready: true, phase: 'finished' } });
  });
});
