import { describe, expect, it } from 'vitest';
import type { ClassStats, ContributionRow } from '@shardgrad/protocol';
import { joinableAgain, offlineTotal, ownCounts, totalFromClassStats, totalFromStatus, withOwnWork } from './class-total.ts';

const row = (workerId: string, samples: number, rounds: number): ContributionRow => ({ workerId, nickname: workerId, kind: 'browser', samples, rounds, minutes: 1, live: true });

const stats = (state: ClassStats['state'], rows: ContributionRow[] = []): ClassStats => ({
  runId: 'r',
  model: 'mnist-mlp',
  state,
  step: 12,
  batch: 256,
  total: { samples: rows.reduce((s, r) => s + r.samples, 0) || 3072, rounds: 12, workers: rows.length || 2, minutes: 1 },
  rows,
});

describe("the join page's class total", () => {
  it("carries the run, its state, its batch now and what it waits for, which the tab's own socket cannot see", () => {
    expect(totalFromClassStats(stats('paused'))).toMatchObject({ runId: 'r', samples: 3072, steps: 12, workers: 2, runState: 'paused', batch: 256 });
    const waitingFor = { needed: 2, have: 1, toStart: true };
    expect(totalFromClassStats({ ...stats('waiting'), waitingFor }).waitingFor).toEqual(waitingFor);
    expect(totalFromStatus({ run: { runId: 'r2' }, version: 3, workers: [] })).toMatchObject({ runId: 'r2', steps: 3, workers: 0 });
  });

  it('shows a class server that went away with its work kept and nobody counted as training', () => {
    const t = totalFromClassStats(stats('finished', [row('a', 640, 10), row('b', 320, 5)]));
    const away = offlineTotal(t);
    expect(away).toMatchObject({ offline: true, workers: 0, samples: 960, runId: 'r' });
    expect(away.rows!.map((r) => [r.workerId, r.samples, r.live])).toEqual([['a', 640, false], ['b', 320, false]]);
    expect(offlineTotal(undefined)).toMatchObject({ offline: true, workers: 0, samples: 0 });
  });
});

describe("this tab's count next to the class's", () => {
  const t = totalFromClassStats(stats('training', [row('other', 900, 9), row('me', 640, 10)]));

  it('brings its leaderboard row and the class total up to the acknowledged results the stats have not caught up with', () => {
    const own = { workerId: 'me', runId: 'r', samples: 1024, rounds: 16 };
    const shown = withOwnWork(t, own);
    expect(shown.rows!.map((r) => [r.workerId, r.samples, r.rounds])).toEqual([['me', 1024, 16], ['other', 900, 9]]);
    expect(shown.samples).toBe(1024 + 900);
    expect(ownCounts(t, own)).toEqual({ samples: 1024, rounds: 16 });
    // "This tab", its row and the class total now tell the same story.
    expect(shown.rows!.find((r) => r.workerId === 'me')!.samples).toBe(ownCounts(shown, own).samples);
  });

  it("takes the coordinator's count where it is ahead (an acknowledgement lost in a reconnection)", () => {
    const own = { workerId: 'me', runId: 'r', samples: 600, rounds: 9 };
    expect(withOwnWork(t, own)).toBe(t);
    expect(ownCounts(t, own)).toEqual({ samples: 640, rounds: 10 });
  });

  it("never mixes in another run's numbers", () => {
    const own = { workerId: 'me', runId: 'older-run', samples: 5000, rounds: 80 };
    expect(withOwnWork(t, own)).toBe(t);
    expect(ownCounts(t, own)).toEqual({ samples: 5000, rounds: 80 });
  });
});

describe('a finished tab joining again by itself', () => {
  const back = (runId: string, state: ClassStats['state']) => totalFromClassStats({ ...stats(state), runId });

  it('joins a new run, or the same run after the class server restarted', () => {
    expect(joinableAgain({ runId: 'r', serverWasGone: false }, back('r2', 'waiting'))).toBe(true);
    expect(joinableAgain({ runId: 'r', serverWasGone: true }, back('r', 'training'))).toBe(true);
  });

  it('does not rejoin the run that just ended, a finished or stopping one, or a server still away', () => {
    expect(joinableAgain({ runId: 'r', serverWasGone: false }, back('r', 'training'))).toBe(false);
    expect(joinableAgain({ runId: 'r', serverWasGone: true }, back('r2', 'finished'))).toBe(false);
    expect(joinableAgain({ runId: 'r', serverWasGone: true }, back('r2', 'stopping'))).toBe(false);
    expect(joinableAgain({ runId: 'r', serverWasGone: true }, offlineTotal(back('r2', 'training')))).toBe(false);
  });
});
