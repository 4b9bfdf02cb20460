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

  it('refuses the controls without the teacher token, and malformed requests', async () => {
    expect((await control({ action: 'pause' }, null)).status).toBe(401);
    expect((await control({ action: 'pause' }, 'x'.repeat(32))).status).toBe(401);
    expect(c.control.paused).toBe(false);
    expect((await control('{not json')).status).toBe(400);
    expect((await control({ action: 'explode' })).body.error).toMatch(/bad control request/);
    expect((await control({ action: 'set-lr', learningRate: -1 })).status).toBe(400);
    expect((await control({ action: 'set-batch', batch: 10_000_000 })).status).toBe(400);
    expect((await control({ action: 'set-batch', batch: 60_000 })).status).toBe(409);
    expect((await control({ action: 'new-run', model: 'no-such-model' })).body.error).toMatch(/unknown model/);
  });

  it('streams a snapshot and then points to dashboard viewers', async () => {
    const s = connect(`${c.url}/dashboard`, { transports: ['websocket'] });
    const snap = await new Promise<DashboardSnapshot>((r) => s.once('snapshot', r));
    expect(snap.run.model).toBe('mnist-mlp');
    expect(snap.join.url).toBe(room.joinUrl);
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
    expect((await control({ action: 'set-lr', learningRate: 0.0005 })).status).toBe(200);
    expect(c.config.state.optimizer.learningRate).toBe(0.0005);
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
    expect((await control({ action: 'new-run', model: 'playground', batch: 16 })).status).toBe(200);
    const e = await started;
    expect(e).toMatchObject({ model: 'playground' });
    expect(e.runId).not.toBe(firstRun);
    expect(c.config.batch).toBe(16);
    // The workers are dropped with the old run and come back for the new one, with its model: their
    // gradients would be refused (another schema) if they still held the old one.
    await nextEvent(c, 'round', (r) => r.step >= 3 && r.workers === 2);
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
