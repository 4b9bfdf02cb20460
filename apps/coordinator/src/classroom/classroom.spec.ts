import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import type { ClassStats, DashboardSnapshot, MetricPoint, ScalarPoint } from '@shardgrad/protocol';
import { listEventFiles, readEventFile, readMetrics, readRunInfo } from '@shardgrad/runlog';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { createCoordinator } from '../create-coordinator.ts';
import type { Coordinator } from '../coordinator.ts';
import type { CoordinatorEvent } from '../events.ts';
import { runSession } from '../run-session.ts';
import type { TrainingSummary } from '../run-training.ts';
import { attachClassroom, type Classroom } from './classroom.ts';

/** Resolves with the first coordinator event that satisfies `pred`. */
function nextEvent<T extends CoordinatorEvent['type']>(c: Coordinator, type: T, pred: (e: Extract<CoordinatorEvent, { type: T }>) => boolean = () => true) {
  return new Promise<Extract<CoordinatorEvent, { type: T }>>((resolve) => {
    const on = (e: CoordinatorEvent) => {
      if (e.type === type && pred(e as Extract<CoordinatorEvent, { type: T }>)) {
        c.off('event', on);
        resolve(e as Extract<CoordinatorEvent, { type: T }>);
      }
    };
    c.on('event', on);
  });
}

describe('the classroom: controls, run directories, live feeds', () => {
  const root = mkdtempSync(join(tmpdir(), 'shardgrad-classroom-'));
  let c: Coordinator;
  let room: Classroom;
  let session: Promise<TrainingSummary[]>;
  const workers: NodeWorkerHandle[] = [];
  const addWorkers = async () => {
    for (const n of ['ada', 'grace']) workers.push(await startNodeWorker({ url: c.url, nickname: n }));
  };
  const control = async (body: unknown, token: string | null = room.auth.teacherToken) => {
    const res = await fetch(`${c.url}/api/control`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { ok: boolean; error?: string; message?: string } };
  };

  beforeAll(async () => {
    await initNodeBackend('wasm');
    c = await createCoordinator({ model: 'mnist-mlp', batch: 32, port: 0 });
    room = await attachClassroom(c);
    await addWorkers();
    session = runSession(c, {
      plan: () => ({ epochs: 5, maxSteps: 2000, minWorkers: 2, evaluateEvery: 5 }),
      record: { root },
      allowNewRuns: true,
    });
  });

  afterAll(async () => {
    c.control.stop();
    room?.close();
    workers.forEach((w) => w.close());
    await c?.close();
  });

  it('refuses the controls without the teacher token, and malformed requests, in words a teacher reads', async () => {
    for (const token of [null, 'x'.repeat(32)]) {
      const r = await control({ action: 'pause' }, token);
      expect(r.status).toBe(401);
      // Where to find the token, not an HTTP header's syntax.
      expect(r.body.error).toMatch(/^The teacher token is missing or wrong\. It is printed once in the coordinator’s terminal/);
      expect(r.body.error).not.toMatch(/Bearer|Authorization/);
    }
    expect(c.control.paused).toBe(false);
    expect((await control('{not json')).status).toBe(400);
    expect((await control({ action: 'explode' })).body.error).toMatch(/^unknown control: the controls are pause, resume/);
    expect((await control({ action: 'pause', now: true })).body.error).toBe('the control does not take "now"');
    // 5e-324 is a float32 0: it was taken, and learning stopped without a word.
    for (const learningRate of [-1, 0, 11, 5e-324, 1e-13]) {
      const r = await control({ action: 'set-lr', learningRate });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('the learning rate must be a number from 1e-12 to 10');
    }
    for (const batch of [10_000_000, 0, 2.5]) {
      const r = await control({ action: 'set-batch', batch });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('the batch must be a whole number from 1 to 65,536');
    }
    expect((await control({ action: 'set-batch', batch: 60_000 })).status).toBe(409);
    expect((await control({ action: 'new-run', model: 'no-such-model' })).body.error).toMatch(/unknown model/);
  });

  it('streams a snapshot and then points to dashboard viewers', async () => {
    const s = connect(`${c.url}/dashboard`, { transports: ['websocket'] });
    const snap = await new Promise<DashboardSnapshot>((r) => s.once('snapshot', r));
    expect(snap.run.model).toBe('mnist-mlp');
    // No join code is asked of workers here, so every viewer may see the join URL.
    expect(snap.join?.url).toBe(room.joinUrl);
    const points = await new Promise<MetricPoint[]>((r) => s.once('points', r));
    expect(points.length).toBeGreaterThan(0);
    expect(points[0]!.loss).toBeGreaterThan(0);
    // With two workers the gradient noise scale becomes measurable, and is charted.
    const scalar = await new Promise<ScalarPoint>((r) => s.once('scalar', r));
    expect(scalar).toMatchObject({ name: 'B_simple' });
    expect(scalar.value).toBeGreaterThan(0);
    s.close();
  });

  it('pauses at a round boundary, checkpoints while paused, resumes', async () => {
    const paused = nextEvent(c, 'control', (e) => e.action === 'pause');
    expect((await control({ action: 'pause' })).status).toBe(200);
    await paused;
    const reply = await control({ action: 'checkpoint' });
    expect(reply.status).toBe(200);
    const version = c.config.state.version;
    const path = /written to (.*)$/.exec(reply.body.message!)![1]!;
    expect(path).toMatch(/step-\d{10}$/);
    expect(Number(path.slice(-10))).toBe(version);
    expect(existsSync(join(path, 'model.json'))).toBe(true);
    // While paused, nothing moves: a second checkpoint lands on the same step.
    expect((await control({ action: 'checkpoint' })).body.message).toContain(path);
    const next = nextEvent(c, 'round');
    expect((await control({ action: 'resume' })).status).toBe(200);
    expect((await next).step).toBe(version + 1);
  });

  it('changes the learning rate and the batch for the next rounds', async () => {
    const before = c.config.state.baseLearningRate;
    const reply = await control({ action: 'set-lr', learningRate: 0.0005 });
    expect(reply.status).toBe(200);
    // The base rate (what a schedule scales), rounded for people.
    expect(reply.body.message).toBe(`base learning rate ${Number(before.toPrecision(3))} → 0.0005`);
    expect(c.config.state.optimizer.learningRate).toBe(0.0005);
    expect(room.hub.run()).toMatchObject({ baseLearningRate: 0.0005 });
    const round = nextEvent(c, 'round', (e) => e.samples === 48);
    expect((await control({ action: 'set-batch', batch: 48 })).status).toBe(200);
    expect((await round).samples).toBe(48);
  });

  it('counts every worker for the students: totals and a leaderboard', async () => {
    const s = connect(`${c.url}/class`, { transports: ['websocket'] });
    const stats = await new Promise<ClassStats>((r) => s.once('class', r));
    s.close();
    expect(stats.rows.map((r) => r.nickname).sort()).toEqual(['ada', 'grace']);
    expect(stats.total.samples).toBe(stats.rows.reduce((a, r) => a + r.samples, 0));
    expect(stats.rows[0]!.samples).toBeGreaterThanOrEqual(stats.rows[1]!.samples);
    const http = (await (await fetch(`${c.url}/api/class`)).json()) as ClassStats;
    expect(http.runId).toBe(c.runId);
  });

  it('starts a new run on the same server; the workers come back; stop ends the session', async () => {
    const firstRun = c.runId;
    const started = nextEvent(c, 'run-started');
    const reply = await control({ action: 'new-run', model: 'playground', batch: 16, learningRate: 0.02 });
    expect(reply.status).toBe(200);
    expect(reply.body.message).toMatch(/^new run: playground on .*, batch 16, learning rate 0\.02,/);
    const e = await started;
    expect(e).toMatchObject({ model: 'playground' });
    expect(e.runId).not.toBe(firstRun);
    // The teacher's batch and rate, not the model's defaults.
    expect(c.config.batch).toBe(16);
    expect(c.config.state.baseLearningRate).toBe(0.02);
    // The workers are dropped with the old run and come back for the new one, with its model: their
    // gradients would be refused (another schema) if they still held the old one.
    await nextEvent(c, 'round', (r) => r.step >= 3 && r.workers === 2);
    // The workers leave the old run and join the new one under the names they had: one name each.
    const log = room.hub.snapshot().log.join('\n');
    for (const w of ['ada', 'grace']) expect(log).toMatch(new RegExp(`${w} left[\\s\\S]*${w} joined`));
    expect(log).not.toMatch(/w-[0-9a-f]{9,}/);
    // The class watches the playground's decision boundary.
    const s = connect(`${c.url}/dashboard`, { transports: ['websocket'] });
    const snap = await new Promise<DashboardSnapshot>((r) => s.once('snapshot', r));
    s.close();
    expect(snap.run.model).toBe('playground');
    expect(snap.preview).toMatchObject({ kind: 'decision-boundary' });
    expect(snap.preview!.rgba.byteLength).toBe(snap.preview!.width * snap.preview!.height * 4);
    expect((await control({ action: 'stop' })).status).toBe(200);
    const summaries = await session;
    expect(summaries).toHaveLength(2);
    expect(summaries.map((s) => s.runId)).toEqual([firstRun, e.runId]);

    // The run has ended: its settings are refused, with what to do instead.
    expect(room.hub.state).toBe('finished');
    const lr = await control({ action: 'set-lr', learningRate: 0.001 });
    expect(lr.status).toBe(409);
    expect(lr.body.error).toMatch(/^this run has finished, so its learning rate can no longer change: give the learning rate with the new run/);
    const batch = await control({ action: 'set-batch', batch: 8 });
    expect(batch.status).toBe(409);
    expect(batch.body.error).toMatch(/give the batch with the new run/);
    expect(c.config.batch).toBe(16);
    expect(c.config.state.baseLearningRate).toBe(0.02);
    // Pause, resume, stop and checkpoint have nothing left to act on: said so, not answered "resumed".
    for (const action of ['pause', 'resume', 'stop'] as const) {
      const r = await control({ action });
      expect(r.status, action).toBe(409);
      expect(r.body.error, action).toBe(`this run has finished, so there is nothing to ${action}: start a new run to train again`);
    }
    const late = await control({ action: 'checkpoint' });
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('this run has finished, so there is nothing to checkpoint: its final model is saved with the run');

    // Each run has its own directory with everything in it.
    const run1 = join(root, firstRun);
    const info = readRunInfo<{ controls: { action: string }[]; workers: { nickname: string }[]; summary: unknown }>(run1);
    expect(info.meta.controls.map((x) => x.action)).toEqual(expect.arrayContaining(['pause', 'checkpoint', 'resume', 'set-lr', 'set-batch', 'new-run']));
    expect(info.meta.workers.map((w) => w.nickname).sort()).toEqual(['ada', 'grace']);
    expect(info.meta.summary).toBeTruthy();
    const rows = readMetrics(run1);
    expect(rows.some((r) => r.tag === 'train')).toBe(true);
    expect(rows.some((r) => r.tag === 'test-sample')).toBe(true);
    expect(readFileSync(join(run1, 'metrics.csv'), 'utf8').split('\n')[0]).toMatch(/^step,tag,wall_time,loss,accuracy/);
    const tags = new Set(listEventFiles(run1).flatMap((f) => readEventFile(f).flatMap((ev) => ev.scalars.map((s) => s.tag))));
    expect([...tags]).toEqual(expect.arrayContaining(['train/loss', 'train/accuracy', 'test-sample/loss', 'test-sample/accuracy', 'test/loss']));
    expect(existsSync(join(run1, 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(root, e.runId, 'model', 'model.json'))).toBe(true);
  });
});

describe('the classroom waits for workers: the dashboard and the students are told how many more', () => {
  let c: Coordinator;
  let room: Classroom;
  let session: Promise<TrainingSummary[]>;
  const workers: NodeWorkerHandle[] = [];

  beforeAll(async () => {
    await initNodeBackend('wasm');
    c = await createCoordinator({ model: 'mnist-mlp', batch: 32, port: 0 });
    room = await attachClassroom(c);
    session = runSession(c, { plan: () => ({ epochs: 1, maxSteps: 3, minWorkers: 2 }), record: false });
  });

  afterAll(async () => {
    c.control.stop();
    room?.close();
    workers.forEach((w) => w.close());
    await c?.close();
  });

  it('says one more worker is needed to start while one of two has joined, then starts', async () => {
    const waitingWithOne = nextEvent(c, 'waiting', (e) => e.have === 1);
    // No nickname: the dashboard names it by the first 8 characters of its id, in the log as in the table.
    workers.push(await startNodeWorker({ url: c.url }));
    await waitingWithOne;
    expect(room.hub.run().waitingFor).toEqual({ needed: 2, have: 1, toStart: true });
    const stats = (await (await fetch(`${c.url}/api/class`)).json()) as ClassStats;
    expect(stats.waitingFor).toEqual({ needed: 2, have: 1, toStart: true });
    const id = c.pool.list()[0]!.id;
    expect(room.hub.snapshot().log.some((l) => l.endsWith(`  ${id.slice(0, 8)} joined (node, wasm)`))).toBe(true);

    const round = nextEvent(c, 'round');
    workers.push(await startNodeWorker({ url: c.url, nickname: 'bo' }));
    await round;
    expect(room.hub.run().waitingFor).toBeUndefined();
    await session;
  });
});
