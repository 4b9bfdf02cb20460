import { describe, expect, it } from 'vitest';
import { describeWorkerEvent } from './worker-display.ts';

describe('describeWorkerEvent', () => {
  it('gives every worker event a line of words, never JSON', () => {
    const events = [
      { type: 'waiting', url: 'http://c:8080', seconds: 120, message: 'websocket error' },
      { type: 'joined', runId: 'r1', model: 'mnist-mlp', backend: 'cpu' },
      { type: 'disconnected', reason: 'transport close', pending: 2 },
      { type: 'resumed', runId: 'r1', resent: 2 },
      { type: 'resumed', runId: 'r1', resent: 0, rejoined: true },
      { type: 'rejoined', runId: 'r2', newRun: true },
      { type: 'new-run', reason: 'io server disconnect' },
      { type: 'result-refused', round: 3, shardId: 1, reason: 'duplicate', message: 'shard 1 already has a result' },
      { type: 'stopped', reason: 'training finished' },
      { type: 'error', message: 'boom' },
      { type: 'something-new', message: 'later' },
    ];
    for (const e of events) {
      const line = describeWorkerEvent(e);
      expect(line, e.type).toBeTruthy();
      expect(line, e.type).not.toMatch(/[{}"]/);
    }
    expect(describeWorkerEvent({ type: 'disconnected', reason: 'transport close', pending: 2 })).toBe('lost the connection (transport close); reconnecting, 2 results to resend');
  });

  it('says "resumed" only where the coordinator took this worker back, not for a new run', () => {
    expect(describeWorkerEvent({ type: 'resumed', runId: 'r1', resent: 2 })).toBe('resumed as the same worker in run r1, resent 2 results');
    expect(describeWorkerEvent({ type: 'rejoined', runId: 'r2', newRun: true })).not.toMatch(/resumed/);
    expect(describeWorkerEvent({ type: 'resumed', runId: 'r1', resent: 0, rejoined: true })).toMatch(/joined afresh/);
  });
});
