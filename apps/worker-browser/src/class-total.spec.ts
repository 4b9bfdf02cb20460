import { describe, expect, it } from 'vitest';
import type { ClassStats } from '@shardgrad/protocol';
import { totalFromClassStats } from './class-total.ts';
import { waitingMessage } from './view.ts';

const stats = (state: ClassStats['state']): ClassStats => ({
  runId: 'r',
  model: 'mnist-mlp',
  state,
  step: 12,
  batch: 256,
  total: { samples: 3072, rounds: 12, workers: 2, minutes: 1 },
  rows: [],
});

describe("the join page's class total", () => {
  it("carries the run's state and its batch now, which the tab's own socket cannot see", () => {
    expect(totalFromClassStats(stats('paused'))).toMatchObject({ samples: 3072, steps: 12, workers: 2, runState: 'paused', batch: 256 });
  });

  it('tells a waiting student why no work comes: paused by the teacher, stopping, or ended', () => {
    expect(waitingMessage('paused')).toMatch(/teacher has paused/);
    expect(waitingMessage('stopping')).toMatch(/stopping/);
    expect(waitingMessage('finished')).toMatch(/run has ended/);
    // Training or waiting for workers: the tab's own message (waiting for the next round) is right.
    expect(waitingMessage('training')).toBeUndefined();
    expect(waitingMessage('waiting')).toBeUndefined();
    expect(waitingMessage(undefined)).toBeUndefined();
  });
});
