import { describe, expect, it } from 'vitest';
import { gpuFor, LaunchPlanError, rankRangeWarning, workerEnv, type RankPlan } from './worker-env.ts';

const plan = (over: Partial<RankPlan> = {}): RankPlan => ({
  nproc: 4,
  nodeRank: 0,
  worldSize: 4,
  url: new URL('http://127.0.0.1:4321'),
  pinGpus: false,
  ...over,
});

describe('workerEnv', () => {
  it("speaks torchrun's vocabulary: RANK = NODE_RANK × nproc + LOCAL_RANK", () => {
    const env = workerEnv({ PATH: '/bin' }, plan({ nodeRank: 2, worldSize: 16 }), 3);
    expect(env).toMatchObject({
      PATH: '/bin',
      RANK: '11',
      LOCAL_RANK: '3',
      NODE_RANK: '2',
      WORLD_SIZE: '16',
      LOCAL_WORLD_SIZE: '4',
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: '4321',
    });
    expect(env.CUDA_VISIBLE_DEVICES).toBeUndefined();
  });

  it('drops a stale SHARDGRAD_URL when MASTER_* says it all, so workers reach this coordinator', () => {
    const env = workerEnv({ SHARDGRAD_URL: 'http://elsewhere:1' }, plan(), 0);
    expect(env.SHARDGRAD_URL).toBeUndefined();
  });

  it('keeps the full URL where MASTER_* cannot carry it (https, a path prefix)', () => {
    const env = workerEnv({}, plan({ url: new URL('https://ingress.example/shardgrad') }), 0);
    expect(env.SHARDGRAD_URL).toBe('https://ingress.example/shardgrad');
    expect(env.MASTER_PORT).toBe('443');
  });

  it('pins one GPU per local rank, following an inherited CUDA_VISIBLE_DEVICES', () => {
    expect(workerEnv({}, plan({ pinGpus: true }), 2).CUDA_VISIBLE_DEVICES).toBe('2');
    expect(workerEnv({ CUDA_VISIBLE_DEVICES: '4,5,6,7' }, plan({ pinGpus: true }), 1).CUDA_VISIBLE_DEVICES).toBe('5');
  });
});

describe('gpuFor', () => {
  it('refuses more workers than visible GPUs, naming both counts', () => {
    expect(() => gpuFor('0,1', 4, 0)).toThrow(LaunchPlanError);
    expect(() => gpuFor('0,1', 4, 0)).toThrow(/4 workers, but CUDA_VISIBLE_DEVICES lists 2/);
  });

  it('treats an empty CUDA_VISIBLE_DEVICES like an absent one', () => {
    expect(gpuFor('', 2, 1)).toBe('1');
  });
});

describe('rankRangeWarning', () => {
  it('accepts every node whose ranks fit in the world, the last one included', () => {
    expect(rankRangeWarning(plan({ nodeRank: 0, worldSize: 4 }))).toBeUndefined();
    expect(rankRangeWarning(plan({ nodeRank: 3, worldSize: 16 }))).toBeUndefined();
  });

  it('warns of ranks past the world size, naming them and what WORLD_SIZE counts', () => {
    expect(rankRangeWarning(plan({ nodeRank: 4, worldSize: 16 }))).toMatch(/node rank 4 with 4 processes per node gives ranks 16–19, past the world size of 16 \(ranks 0–15\): these workers join as extras/);
    // A WORLD_SIZE that counts machines (2) instead of processes (8).
    expect(rankRangeWarning(plan({ nodeRank: 1, worldSize: 2 }))).toMatch(/WORLD_SIZE counts worker processes over the whole fleet/);
  });
});
