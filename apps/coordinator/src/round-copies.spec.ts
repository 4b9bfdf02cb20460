import { describe, expect, it } from 'vitest';
import type { Task } from '@shardgrad/protocol';
import { Round, type ShardResult } from './round.ts';
import { WorkerPool } from './worker-pool.ts';

/** Copies of a result from the worker that was given the shard: resends after a drop or a lost ack. */
function setup() {
  const pool = new WorkerPool();
  const inbox = new Map<string, Task[]>();
  for (const id of ['a', 'b']) {
    inbox.set(id, []);
    pool.add({ id, kind: 'node', backend: 'wasm', speed: 1000, send: (_e, t) => inbox.get(id)!.push(t as Task), disconnect: () => undefined });
  }
  const r = new Round(0, 0, Uint32Array.from({ length: 20 }, (_, i) => i), pool, (shardId, idx) => ({ runId: 'r', round: 0, version: 0, shardId, unit: { kind: 'samples', split: 'train', indices: idx } }));
  r.start();
  const result = (t: Task, v: number): ShardResult => {
    const n = (t.unit as { indices: Uint32Array }).indices.length;
    return { grads: [{ shape: [1], dtype: 'float32', data: Float32Array.of(v) }], count: n, loss: 1, metrics: {} };
  };
  return { pool, inbox, r, result };
}

describe('Round: copies from the worker that was given the shard', () => {
  it('refuses its second copy as a duplicate (harmless), not as a stray shard', () => {
    const { pool, inbox, r, result } = setup();
    const [ta] = inbox.get('a')!;
    expect(r.accept(pool.get('a')!, ta!.shardId, result(ta!, 1))).toEqual({ ok: true });
    expect(r.accept(pool.get('a')!, ta!.shardId, result(ta!, 1))).toMatchObject({ ok: false, reason: 'duplicate' });
  });

  it('counts the result of a worker that dropped and came back, if the shard is still open; the other copy is then the duplicate', async () => {
    const { pool, inbox, r, result } = setup();
    const [ta] = inbox.get('a')!;
    const [tb] = inbox.get('b')!;
    const a = pool.remove('a')!;
    r.workerGone('a');
    // Its shard went to b as a copy.
    const copy = inbox.get('b')!.find((t) => t.shardId === ta!.shardId)!;
    expect(copy).toBeDefined();
    // a is back (same id, a resumed connection) and delivers first.
    pool.add({ id: a.id, kind: 'node', backend: 'wasm', speed: 1000, send: () => undefined, disconnect: () => undefined });
    expect(r.accept(pool.get('a')!, ta!.shardId, result(ta!, 7))).toEqual({ ok: true });
    expect(r.accept(pool.get('b')!, copy.shardId, result(copy, 9))).toMatchObject({ ok: false, reason: 'duplicate' });
    expect(r.accept(pool.get('b')!, tb!.shardId, result(tb!, 3))).toEqual({ ok: true });
    const out = await r.done;
    expect(out.samples).toBe(20);
    expect(out.parts.map((p) => p.grads[0]!.data[0]).sort()).toEqual([3, 7]);
  });

  it("counts a round once for a worker that answered two of its shards (its own and a copy of a gone worker's)", async () => {
    const { pool, inbox, r, result } = setup();
    const [ta] = inbox.get('a')!;
    const [tb] = inbox.get('b')!;
    pool.remove('b');
    r.workerGone('b');
    const copy = inbox.get('a')!.find((t) => t.shardId === tb!.shardId)!;
    expect(r.accept(pool.get('a')!, ta!.shardId, result(ta!, 1))).toEqual({ ok: true });
    expect(r.accept(pool.get('a')!, copy.shardId, result(copy, 2))).toEqual({ ok: true });
    await r.done;
    expect(pool.get('a')!.rounds).toBe(1);
    expect(pool.get('a')!.samples).toBe(20);
  });

  it('still refuses a shard that was never sent to the worker', () => {
    const { pool, inbox, r, result } = setup();
    const [tb] = inbox.get('b')!;
    expect(r.accept(pool.get('a')!, tb!.shardId, result(tb!, 1))).toMatchObject({ ok: false, reason: 'unknown-shard' });
  });
});
