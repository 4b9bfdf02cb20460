import { describe, expect, it } from 'vitest';
import { WorkerPool, type PoolMember } from '../worker-pool.ts';
import { ClassStatsTracker } from './class-stats.ts';

const run = { runId: 'r', model: 'mnist-mlp', state: 'training' as const, step: 0 };

/** A pool whose current run is `current.run`: a test moves it on as a new run would. */
function pool() {
  const current = { run: 'r' };
  const p = new WorkerPool(() => current.run);
  const add = (id: string) => p.add({ id, kind: 'browser', backend: 'wasm', nickname: id, runId: current.run, send: () => undefined, disconnect: () => undefined });
  return { p, add, current };
}

const work = (m: PoolMember, rounds: number, per: number) => {
  m.rounds += rounds;
  m.samples += rounds * per;
};

describe('ClassStatsTracker', () => {
  it("keeps the work a tab did between the last update and its leaving (a closed tab's last rounds)", () => {
    const { p, add } = pool();
    const t = new ClassStatsTracker();
    const ada = add('ada');
    const bo = add('bo');
    work(ada, 10, 32);
    work(bo, 10, 32);
    t.update(p.list(), p.departed());
    work(ada, 3, 32); // then Ada closes her tab before the next update
    p.remove('ada');
    t.update(p.list(), p.departed());
    const s = t.stats(run);
    expect(s.total.samples).toBe(13 * 32 + 10 * 32);
    expect(s.rows.find((r) => r.workerId === 'ada')).toMatchObject({ samples: 13 * 32, rounds: 13, live: false });
    expect(s.total.workers).toBe(1);
  });

  it('counts a tab that joined and left between two updates, and no one who left an earlier run', () => {
    const { p, add, current } = pool();
    current.run = 'old';
    const old = p.add({ id: 'old-tab', kind: 'browser', backend: 'wasm', runId: 'old', send: () => undefined, disconnect: () => undefined });
    work(old, 50, 64);
    p.remove('old-tab');
    current.run = 'r';
    const t = new ClassStatsTracker();
    const quick = add('quick');
    work(quick, 2, 16);
    p.remove('quick');
    t.update(p.list(), p.departed());
    const s = t.stats(run);
    expect(s.rows.map((r) => r.workerId)).toEqual(['quick']);
    expect(s.total.samples).toBe(32);
  });

  it('shows the new name of a worker that came back renamed', () => {
    const { p, add } = pool();
    const t = new ClassStatsTracker();
    add('w1');
    t.update(p.list(), p.departed());
    p.remove('w1');
    p.add({ id: 'w1', kind: 'browser', backend: 'wasm', nickname: 'Ada', runId: 'r', send: () => undefined, disconnect: () => undefined });
    t.update(p.list(), p.departed());
    expect(t.stats(run).rows.map((r) => [r.workerId, r.nickname])).toEqual([['w1', 'Ada']]);
  });

  it("names an unnamed worker by the first 8 characters of its id, as the dashboard does", () => {
    const { p } = pool();
    const t = new ClassStatsTracker();
    p.add({ id: 'w-6b9d6e21f0', kind: 'browser', backend: 'wasm', runId: 'r', send: () => undefined, disconnect: () => undefined });
    p.add({ id: 'w-0123456789', kind: 'node', backend: 'wasm', nickname: 'Ada', runId: 'r', send: () => undefined, disconnect: () => undefined });
    t.update(p.list(), p.departed());
    expect(t.stats(run).rows.map((r) => r.nickname).sort()).toEqual(['Ada', 'w-6b9d6e']);
  });

  it('says how many workers the run waits for only while it waits', () => {
    const { p, add } = pool();
    const t = new ClassStatsTracker();
    add('ada');
    t.update(p.list(), p.departed());
    const waitingFor = { needed: 2, have: 1, toStart: true };
    expect(t.stats({ ...run, state: 'waiting', waitingFor })).toMatchObject({ waitingFor, total: { workers: 1 } });
    // A count left from before the first round must not tell a training class to wait.
    expect(t.stats({ ...run, state: 'training', waitingFor })).not.toHaveProperty('waitingFor');
  });

  it('lists a worker that came back under its id once, live', () => {
    const { p, add } = pool();
    add('ada');
    p.remove('ada');
    add('ada');
    expect(p.views().map((v) => [v.id, v.status])).toEqual([['ada', 'idle']]);
  });
});
