import { describe, expect, it } from 'vitest';
import { ANNOUNCED_SPEED_RANGE } from '@shardgrad/protocol';
import { ANNOUNCED_SPREAD, WorkerPool } from './worker-pool.ts';

const join = (pool: WorkerPool, id: string, speed?: number) => pool.add({ id, kind: 'node', backend: 'wasm', speed, send: () => undefined, disconnect: () => undefined });

/** A pool with one worker measured at 2000 samples/s. */
function withMeasuredPeer() {
  const pool = new WorkerPool();
  const peer = join(pool, 'peer');
  pool.recordCompute(peer, 100, 50);
  expect(peer.speed).toBeCloseTo(2000, 6);
  return pool;
}

describe('WorkerPool', () => {
  it('believes an announced speed only within a factor of its measured peers', () => {
    const pool = withMeasuredPeer();
    expect(join(pool, 'tiny', 0.001).speed).toBeCloseTo(2000 / ANNOUNCED_SPREAD, 6);
    expect(join(pool, 'huge', 1e9).speed).toBeCloseTo(2000 * ANNOUNCED_SPREAD, 6);
    expect(join(pool, 'gpu', 50_000).speed).toBe(50_000);
    expect(join(pool, 'quiet').speed).toBeCloseTo(2000, 6);
  });

  it('holds an announcement to the absolute range when there is nobody to compare with', () => {
    const pool = new WorkerPool();
    expect(join(pool, 'a', 5e-324).speed).toBe(ANNOUNCED_SPEED_RANGE.min);
    expect(join(pool, 'b', 1e308).speed).toBe(ANNOUNCED_SPEED_RANGE.max);
    expect(join(pool, 'c', Number.NaN).speed).toBe(1000);
  });

  it('credits only tasks it handed out, at the size it gave', () => {
    const pool = new WorkerPool();
    const m = join(pool, 'a');
    pool.assigned(m, '3/3/0', 32);
    expect(pool.settle(m, '3/3/1')).toBeUndefined();
    expect(pool.settle(m, '1000003/3/0')).toBeUndefined();
    expect(pool.settle(m, '3/3/0')).toBe(32);
    expect(pool.settle(m, '3/3/0')).toBeUndefined();
  });
});
