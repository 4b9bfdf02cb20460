import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Task } from '@shardgrad/protocol';
import { DEADLINE_FLOOR_MS, Round, type ShardResult } from './round.ts';
import { RoundPace } from './round-pace.ts';
import { WorkerPool } from './worker-pool.ts';

/** Tasks as each fake worker received them; the test plays the workers. */
function fleet(speeds: Record<string, number>) {
  const pool = new WorkerPool();
  const inbox = new Map<string, Task[]>();
  for (const [id, speed] of Object.entries(speeds)) {
    inbox.set(id, []);
    pool.add({ id, kind: 'node', backend: 'wasm', speed, send: (_e, t) => inbox.get(id)!.push(t as Task), disconnect: () => undefined });
  }
  return { pool, inbox, member: (id: string) => pool.get(id)! };
}

const batch = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);
let version = 0;
const round = (pool: WorkerPool, indices: Uint32Array, r = 0) =>
  new Round(r, version, indices, pool, (shardId, idx) => ({ runId: 'r', round: r, version, shardId, unit: { kind: 'samples', split: 'train', indices: idx } }));
const indicesOf = (t: Task) => (t.unit as { indices: Uint32Array }).indices;
/** A result whose gradient is the shard's index sum, so the outcome shows which samples counted. */
const resultFor = (t: Task, computeMs: number): ShardResult => {
  const idx = indicesOf(t);
  return { grads: [{ shape: [1], dtype: 'float32', data: Float32Array.of(idx.reduce((a, b) => a + b, 0)) }], count: idx.length, loss: 1, metrics: {}, computeMs };
};

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

describe('Round', () => {
  it('splits by speed and counts every sample once', async () => {
    const { pool, inbox, member } = fleet({ fast: 3000, slow: 1000 });
    const r = round(pool, batch(400));
    r.start();
    const [tf] = inbox.get('fast')!;
    const [ts] = inbox.get('slow')!;
    expect(indicesOf(tf!).length).toBe(300);
    expect(indicesOf(ts!).length).toBe(100);
    expect(member('slow').share).toBe(0.25);
    expect(r.accept(member('fast'), tf!.shardId, resultFor(tf!, 100))).toEqual({ ok: true });
    expect(r.accept(member('slow'), ts!.shardId, resultFor(ts!, 100))).toEqual({ ok: true });
    const out = await r.done;
    expect(out.samples).toBe(400);
    expect(out.parts.reduce((a, p) => a + p.grads[0]!.data[0]!, 0)).toBe((399 * 400) / 2);
    expect(out.reassigned).toBe(0);
  });

  it('measures compute speed from the worker’s timing, not from queueing or transfer', () => {
    const { pool, inbox, member } = fleet({ a: 1000 });
    const r = round(pool, batch(100));
    r.start();
    vi.advanceTimersByTime(80); // round trip 80 ms, of which 50 ms computing
    r.accept(member('a'), inbox.get('a')![0]!.shardId, resultFor(inbox.get('a')![0]!, 50));
    expect(member('a').speed).toBeCloseTo(2000, 6);
    expect(member('a').overheadMs).toBeCloseTo(30, 6);
  });

  it('does not wait past the deadline: an idle worker takes a copy, the first result counts, the late one is refused', async () => {
    const { pool, inbox, member } = fleet({ fast: 2000, stalled: 2000 });
    const r = round(pool, batch(200));
    r.start();
    const [tf] = inbox.get('fast')!;
    const [ts] = inbox.get('stalled')!;
    vi.advanceTimersByTime(50);
    r.accept(member('fast'), tf!.shardId, resultFor(tf!, 50));
    expect(inbox.get('fast')).toHaveLength(1); // not yet late: no copy
    vi.advanceTimersByTime(DEADLINE_FLOOR_MS);
    const copy = inbox.get('fast')![1]!;
    expect(copy.shardId).toBe(ts!.shardId);
    // At once, the stalled worker's model allows for the time its shard has taken so far.
    // (Its shard of 100 was due after 50 ms; the deadline is the floor, 250 ms after sending.)
    expect(pool.predictMs(member('stalled'), 100)).toBeGreaterThanOrEqual(DEADLINE_FLOOR_MS);
    r.accept(member('fast'), copy.shardId, resultFor(copy, 50));
    const out = await r.done;
    expect(out.reassigned).toBe(1);
    expect(out.shards.every((s) => s.workerId === 'fast')).toBe(true);
    expect(out.samples).toBe(200);
    const late = r.accept(member('stalled'), ts!.shardId, resultFor(ts!, 5000));
    expect(late).toMatchObject({ ok: false, reason: 'duplicate' });

    // Its next share is the smaller for it.
    const next = round(pool, batch(200), 1);
    next.start();
    expect(member('stalled').share).toBeLessThan(0.2);
    next.cancel();
  });

  it('gives nothing new to a worker still stuck on old work long past its estimate', () => {
    const { pool, inbox, member } = fleet({ fast: 1000, stuck: 1000 });
    const r0 = round(pool, batch(100));
    r0.start();
    vi.advanceTimersByTime(40);
    r0.accept(member('fast'), inbox.get('fast')![0]!.shardId, resultFor(inbox.get('fast')![0]!, 40));
    vi.advanceTimersByTime(DEADLINE_FLOOR_MS);
    r0.accept(member('fast'), inbox.get('fast')![1]!.shardId, resultFor(inbox.get('fast')![1]!, 40));
    expect(r0.outstanding).toBe(0);
    vi.advanceTimersByTime(5000);
    const r1 = round(pool, batch(100), 1);
    r1.start();
    expect(member('stuck').share).toBe(0);
    expect(inbox.get('stuck')).toHaveLength(1);
    r1.cancel();
  });

  it('sends a refused worker’s shard to another, never straight back to it', () => {
    const { pool, inbox, member } = fleet({ liar: 5000, honest: 1000 });
    const r = round(pool, batch(60));
    r.start();
    const [tl] = inbox.get('liar')!;
    r.workerFailed(member('liar'));
    expect(inbox.get('liar')).toHaveLength(1);
    const queued = inbox.get('honest')!.find((t) => t.shardId === tl!.shardId);
    expect(queued).toBeDefined();
    r.cancel();
  });

  it('calls a result whose count is not its shard\'s a wrong count', () => {
    const { pool, inbox, member } = fleet({ a: 1000 });
    const r = round(pool, batch(10));
    r.start();
    const [t] = inbox.get('a')!;
    expect(r.accept(member('a'), t!.shardId, { ...resultFor(t!, 5), count: 9999 })).toMatchObject({ ok: false, reason: 'wrong-count', message: expect.stringMatching(/claims 9999/) });
    r.cancel();
  });

  it('averages each metric over the results that report it: one without metrics makes no NaN', async () => {
    const { pool, inbox, member } = fleet({ a: 1000, b: 1000 });
    const r = round(pool, batch(20));
    r.start();
    const [ta] = inbox.get('a')!;
    const [tb] = inbox.get('b')!;
    r.accept(member('a'), ta!.shardId, { ...resultFor(ta!, 5), metrics: { accuracy: 0.5 } });
    r.accept(member('b'), tb!.shardId, resultFor(tb!, 5));
    expect((await r.done).metrics).toEqual({ accuracy: 0.5 });
  });

  it('does not let a worker measured (or claiming) to crawl hold the round: its shard is late once it takes far longer than its peers', async () => {
    const { pool, inbox, member } = fleet({ honest: 2000 });
    const pace = new RoundPace();
    const r0 = round(pool, batch(100));
    r0.pace = pace;
    r0.start();
    vi.advanceTimersByTime(50);
    const [first] = inbox.get('honest')!;
    r0.accept(member('honest'), first!.shardId, resultFor(first!, 50));
    await r0.done;
    // A newcomer whose model says a sample takes a day: by its own estimate its deadline is days away.
    inbox.set('crawl', []);
    pool.add({ id: 'crawl', kind: 'browser', backend: 'cpu', send: (_e, t) => inbox.get('crawl')!.push(t as Task), disconnect: () => undefined });
    pool.lateBy(member('crawl'), 1, 1e12);
    const r1 = round(pool, batch(100), 10);
    r1.pace = pace;
    r1.start();
    const [given] = inbox.get('crawl')!;
    expect(given).toBeDefined();
    vi.advanceTimersByTime(50);
    const own = inbox.get('honest')![1]!;
    r1.accept(member('honest'), own.shardId, resultFor(own, 50));
    // Seconds, not days, later its shard has gone to the idle peer, and the round completes without it.
    vi.advanceTimersByTime(5000);
    const copy = inbox.get('honest')!.find((t) => t.round === 10 && t.shardId === given!.shardId);
    expect(copy).toBeDefined();
    r1.accept(member('honest'), copy!.shardId, resultFor(copy!, 5));
    const out = await r1.done;
    expect(out.samples).toBe(100);
    expect(out.shards.every((s) => s.workerId === 'honest')).toBe(true);
  });
});
