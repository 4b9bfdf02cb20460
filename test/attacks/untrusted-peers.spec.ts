import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { ClassroomAuth, enableSpotChecks, runTraining, serveRotation, type CoordinatorEvent } from '@shardgrad/coordinator';
import { startNodeWorker } from '@shardgrad/worker-node';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { headerFor, rawClient, zeroPayload } from '../support/raw-client.ts';

type Ev<T extends CoordinatorEvent['type']> = Extract<CoordinatorEvent, { type: T }>;

/** Who may join, what they may say, and what happens to those who lie (over real sockets). */
describe('untrusted peers', () => {
  let cluster: TestCluster;
  let auth: ClassroomAuth;
  const events: CoordinatorEvent[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster({ model: 'mnist-mlp', batch: 32, seed: 8 }, []);
    const c = cluster.coordinator;
    auth = new ClassroomAuth({ joinCode: 'TRUST9' });
    c.admission.configure({ auth, allowedOrigins: ['https://class.example'], maxStrikes: 3, maxTabsPerNickname: 2 });
    serveRotation(c, auth);
    c.on('event', (e) => events.push(e));
  });
  afterAll(async () => cluster?.close());

  it('admits a join code as a student and the worker token as a worker, and nobody else', async () => {
    const url = cluster.coordinator.url;
    const none = await rawClient(url);
    expect(none.ack).toMatchObject({ ok: false, reason: 'unauthorized' });
    const wrong = await rawClient(url, { token: 'NOPE42' });
    expect(wrong.ack).toMatchObject({ ok: false, reason: 'unauthorized' });
    const student = await rawClient(url, { token: 'trust9', kind: 'browser', nickname: 'ana' });
    expect(student.ack).toMatchObject({ ok: true, role: 'student' });
    const node = await rawClient(url, { token: auth.workerToken });
    expect(node.ack).toMatchObject({ ok: true, role: 'worker' });
    // Tabs per nickname are capped (workers with the token are not).
    const again = await rawClient(url, { token: 'TRUST9', kind: 'browser', nickname: 'Ana' });
    const third = await rawClient(url, { token: 'TRUST9', kind: 'browser', nickname: 'ANA' });
    expect(again.ack.ok).toBe(true);
    expect(third.ack).toMatchObject({ ok: false, reason: 'too-many-tabs' });
    // The operator's log says who was turned away at the door, and why.
    const refused = events.filter((e): e is Ev<'worker-refused'> => e.type === 'worker-refused');
    expect(refused.map((e) => e.reason)).toEqual(['unauthorized', 'unauthorized', 'too-many-tabs']);
    expect(refused[2]).toMatchObject({ nickname: 'ANA', message: expect.stringMatching(/tabs named/) });
    for (const cl of [none, wrong, student, node, again, third]) cl.close();
  });

  it('rotates the join code over HTTP with the teacher token; the old code stops working, joined tabs stay', async () => {
    const url = cluster.coordinator.url;
    const stays = await rawClient(url, { token: 'TRUST9', kind: 'browser', nickname: 'stays' });
    expect(stays.ack.ok).toBe(true);
    const denied = await fetch(`${url}/api/rotate`, { method: 'POST', body: JSON.stringify({ secret: 'join-code' }) });
    expect(denied.status).toBe(401);
    const res = await fetch(`${url}/api/rotate`, { method: 'POST', headers: { authorization: `Bearer ${auth.teacherToken}` }, body: JSON.stringify({ secret: 'join-code' }) });
    const body = (await res.json()) as { ok: boolean; value: string };
    expect(body.ok).toBe(true);
    expect((await rawClient(url, { token: 'TRUST9' })).ack).toMatchObject({ ok: false, reason: 'unauthorized' });
    const fresh = await rawClient(url, { token: body.value, kind: 'browser' });
    expect(fresh.ack.ok).toBe(true);
    expect(stays.socket.connected).toBe(true);
    const bad = await fetch(`${url}/api/rotate`, { method: 'POST', headers: { authorization: `Bearer ${auth.teacherToken}` }, body: '{"secret":"everything"}' });
    expect(bad.status).toBe(400);
    stays.close();
    fresh.close();
  });

  it('refuses a socket from a page of another origin, accepts the listed one', async () => {
    const url = cluster.coordinator.url;
    const evil = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin: 'https://evil.example' } });
    const err = await new Promise<Error>((r) => evil.once('connect_error', r));
    expect(err.message).toMatch(/websocket error|origin|xhr|Unauthorized|Forbidden|403|400/i);
    evil.close();
    const listed = await rawClient(url, { token: auth.workerToken }, { extraHeaders: { origin: 'https://class.example' } });
    expect(listed.ack.ok).toBe(true);
    listed.close();
  });

  it('closes a socket that floods control messages', async () => {
    const flood = await rawClient(cluster.coordinator.url, { token: auth.workerToken });
    const gone = new Promise<string>((r) => flood.socket.once('disconnect', (why) => r(why)));
    const stop = new Promise<string>((r) => flood.socket.once('stop', (why: string) => r(why)));
    for (let i = 0; i < 200; i++) flood.socket.emit('ready', {});
    expect(await stop).toMatch(/rate-limited/);
    expect(await gone).toMatch(/server/);
    expect(events.some((e) => e.type === 'rejected' && e.reason === 'rate-limited')).toBe(true);
  });

  it('drops a worker past its strikes, counts each refusal by reason, and does not let it resume', async () => {
    const c = cluster.coordinator;
    const honest = await startNodeWorker({ url: c.url, token: auth.workerToken, nickname: 'honest', reconnect: false });
    const liar = await rawClient(c.url, { token: auth.workerToken, nickname: 'liar' });
    const nan = zeroPayload(c.config.state.specs, Number.NaN);
    let tasks = 0;
    liar.socket.on('task', (t) => {
      tasks++;
      void liar.submit(headerFor(t, c.config.state.schemaHash), nan);
    });
    let stopReason: string | undefined;
    liar.socket.once('stop', (why: string) => (stopReason = why));
    // After a refusal the planner gives the liar less work (as it should), so how many rounds it
    // takes to collect four refusals depends on the machine's load: train until it is dropped.
    let summary: Awaited<ReturnType<typeof runTraining>> | undefined;
    for (let run = 0; run < 6 && stopReason === undefined; run++) {
      summary = await runTraining(c, { epochs: 1, maxSteps: 12, minWorkers: run === 0 ? 2 : 1 });
      expect(summary.steps).toBe(12);
    }
    expect(stopReason, `the liar got ${tasks} tasks`).toMatch(/dropped after 4 refused/);
    // The run's summary counts the dropped worker's refusals, though it is gone by then.
    expect(summary!.rejectedSubmissions).toBeGreaterThanOrEqual(4);
    const drop = events.find((e): e is Ev<'worker-dropped'> => e.type === 'worker-dropped')!;
    expect(drop.workerId).toBe(liar.ack.ok && liar.ack.workerId);
    expect(drop.rejects['not-finite']).toBe(4);
    const view = c.pool.views().find((v) => v.id === drop.workerId)!;
    expect(view.rejects).toMatchObject({ 'not-finite': 4 });
    // Its resume key no longer works: it comes back, if at all, as a stranger with no record.
    const back = await rawClient(c.url, { token: auth.workerToken, resume: liar.ack.ok ? liar.ack.resumeKey : '' });
    expect(back.ack).toMatchObject({ ok: true, resumed: false });
    expect(back.ack.ok && back.ack.workerId).not.toBe(drop.workerId);
    back.close();
    // Under its own name, from its address, it is benched for a while rather than let in afresh.
    const again = await rawClient(c.url, { token: auth.workerToken, nickname: 'liar' });
    expect(again.ack).toMatchObject({ ok: false, reason: 'struck-out', message: expect.stringMatching(/may join again in \d+ s/) });
    again.close();
    honest.close();
  });

  it('spot checks catch a student whose gradients are subtly wrong, and pass an honest one', async () => {
    const c = cluster.coordinator;
    const stopChecks = enableSpotChecks(c, { fraction: 1 });
    const code = auth.joinCode;
    const honest = await startNodeWorker({ url: c.url, token: code, nickname: 'honest-student', reconnect: false });
    const subtle = await startNodeWorker({
      url: c.url,
      token: code,
      nickname: 'subtle',
      reconnect: false,
      tamper: (grads) => grads.map((t) => ({ ...t, data: t.data.map((v) => v * 1.01) as Float32Array })),
    });
    const before = events.length;
    const summary = await runTraining(c, { epochs: 1, maxSteps: 4, minWorkers: 2 });
    stopChecks();
    expect(summary.steps).toBe(4);
    const checks = events.slice(before).filter((e): e is Ev<'spot-check'> => e.type === 'spot-check');
    const nick = (id: string) => c.pool.views().find((v) => v.id === id)?.nickname;
    expect(checks.filter((e) => nick(e.workerId) === 'honest-student').every((e) => e.ok)).toBe(true);
    expect(checks.some((e) => nick(e.workerId) === 'honest-student' && e.ok)).toBe(true);
    const caught = checks.filter((e) => nick(e.workerId) === 'subtle');
    expect(caught.length).toBeGreaterThan(0);
    expect(caught.every((e) => !e.ok && e.maxError > e.tolerance)).toBe(true);
    expect(c.pool.views().find((v) => v.nickname === 'subtle')?.flagged).toBe(true);
    const refusals = events.slice(before).filter((e): e is Ev<'rejected'> => e.type === 'rejected' && e.reason === 'spot-check-mismatch');
    expect(refusals.length).toBe(caught.length);
    honest.close();
    subtle.close();
  });
});
