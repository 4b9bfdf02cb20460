import { describe, expect, it } from 'vitest';
import { RoundPace } from './round-pace.ts';
import { DEADLINE_CAP_FACTOR, DEADLINE_FACTOR, DEADLINE_FLOOR_MS, MAX_DEADLINE_MS, shardDeadlineMs } from './shard-deadline.ts';

describe('shard deadlines', () => {
  it('stretch the prediction, within the floor', () => {
    expect(shardDeadlineMs(1000, 1000)).toBe(1000 * DEADLINE_FACTOR);
    expect(shardDeadlineMs(10, 10)).toBe(DEADLINE_FLOOR_MS);
  });

  it('hold a shard predicted to take 25 minutes (or forever) to what its peers need, and to an absolute bound', () => {
    expect(shardDeadlineMs(25 * 60_000, 40)).toBe(Math.max(DEADLINE_FLOOR_MS, DEADLINE_CAP_FACTOR * 40));
    expect(shardDeadlineMs(25 * 60_000, 1000)).toBe(DEADLINE_CAP_FACTOR * 1000);
    expect(shardDeadlineMs(Number.POSITIVE_INFINITY, 1000)).toBe(DEADLINE_CAP_FACTOR * 1000);
    expect(shardDeadlineMs(Number.POSITIVE_INFINITY, undefined)).toBe(MAX_DEADLINE_MS);
    expect(shardDeadlineMs(Number.NaN, undefined)).toBe(MAX_DEADLINE_MS);
    expect(shardDeadlineMs(1e12, 1e12)).toBe(MAX_DEADLINE_MS);
  });
});

describe('RoundPace', () => {
  it('is the median of recent rounds, unmoved by one odd round', () => {
    const p = new RoundPace();
    expect(p.typicalMs()).toBeUndefined();
    for (const ms of [40, 50, 45, 60_000, 55]) p.record(ms);
    expect(p.typicalMs()).toBe(50);
    p.record(Number.NaN);
    p.record(-1);
    expect(p.typicalMs()).toBe(50);
  });
});
