import { describe, expect, it } from 'vitest';
import { rankedWorkerLine } from './worker-lines.ts';

const line = (e: Record<string, unknown>) => JSON.stringify(e);

describe('rankedWorkerLine', () => {
  it('tells which backend a rank loaded, for people and for machines', () => {
    const r = rankedWorkerLine(3, line({ type: 'backend', backend: 'wasm', detail: 'tfjs-node could not load' }));
    expect(r.text).toBe('[rank 3] backend: wasm (tfjs-node could not load)');
    expect(r.event).toEqual({ type: 'backend', backend: 'wasm', detail: 'tfjs-node could not load', rank: 3 });
  });

  it('reports joins, disconnects, reconnects and the end', () => {
    expect(rankedWorkerLine(1, line({ type: 'joined', runId: 'r1', model: 'mnist-mlp', backend: 'tensorflow', threads: 1 })).text).toBe('[rank 1] joined run r1: mnist-mlp on tensorflow');
    expect(rankedWorkerLine(1, line({ type: 'disconnected', reason: 'transport close', pending: 2 })).text).toBe('[rank 1] disconnected: transport close (2 results pending); reconnecting');
    expect(rankedWorkerLine(1, line({ type: 'resumed', runId: 'r1', resent: 2 })).text).toBe('[rank 1] reconnected to run r1 (2 results sent again)');
    expect(rankedWorkerLine(1, line({ type: 'worker-done', reason: 'the run ended' })).text).toBe('[rank 1] worker finished: the run ended');
  });

  it('keeps per-shard progress out of the launcher output', () => {
    expect(rankedWorkerLine(0, line({ type: 'shard', round: 4, samples: 32, loss: 0.5, computeMs: 12 }))).toEqual({ event: null, text: null });
  });

  it('passes on an unknown event whole, and a line that is not an event as text', () => {
    expect(rankedWorkerLine(2, line({ type: 'something-new', x: 1 }))).toEqual({ event: { type: 'something-new', x: 1, rank: 2 }, text: '[rank 2] {"type":"something-new","x":1}' });
    expect(rankedWorkerLine(2, 'Hi there: a library banner')).toEqual({ event: { type: 'worker-output', rank: 2, line: 'Hi there: a library banner' }, text: '[rank 2] Hi there: a library banner' });
    expect(rankedWorkerLine(2, '[1,2]').event).toEqual({ type: 'worker-output', rank: 2, line: '[1,2]' });
    expect(rankedWorkerLine(2, '   ')).toEqual({ event: null, text: null });
  });
});
