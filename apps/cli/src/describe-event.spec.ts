import { describe, expect, it } from 'vitest';
import { describeEvent } from './describe-event.ts';

describe('describeEvent: evaluations', () => {
  it('says a curve drawn on test rows is test data, not validation', () => {
    expect(describeEvent({ type: 'evaluation', split: 'test-sample', step: 50, loss: 0.31234, metrics: { accuracy: 0.912 } })).toBe('test (first 1,000) loss 0.3123, acc 91.2%');
    expect(describeEvent({ type: 'evaluation', split: 'validation', step: 50, loss: 0.5, metrics: { accuracy: 0.8 } })).toBe('validation loss 0.5000, acc 80.0%');
  });

  it('says how many test rows the live curve used, and "test" when it used them all', () => {
    const at = (rows: number, testRows: number) => describeEvent({ type: 'evaluation', split: 'test-sample', step: 50, loss: 0.5, metrics: {}, rows, testRows });
    expect(at(1000, 1500)).toBe('test (first 1,000) loss 0.5000');
    expect(at(250, 250)).toBe('test loss 0.5000');
  });

  it('leaves the closing test evaluation to the summary, which repeats it', () => {
    expect(describeEvent({ type: 'evaluation', split: 'test', step: 60, loss: 0.42, metrics: { accuracy: 0.887 }, final: true })).toBeNull();
    expect(describeEvent({ type: 'evaluation', split: 'test', step: 60, loss: 0.42, metrics: { accuracy: 0.887 } })).toBe('test loss 0.4200, acc 88.7%');
  });

  it('gives a model without a loss its metrics (the mean return of RL)', () => {
    expect(describeEvent({ type: 'evaluation', split: 'test-sample', step: 7, loss: NaN, metrics: { meanReturn: -3.5 } })).toBe('test (first 1,000) at step 7: meanReturn -3.500');
  });
});

describe('describeEvent: workers', () => {
  it('names a worker the way the dashboard does, joining, leaving and refused alike', () => {
    expect(describeEvent({ type: 'worker-joined', worker: { id: 'w-f597c1fc44', kind: 'node', backend: 'wasm' } })).toBe('+ worker w-f597c1 (node, wasm)');
    expect(describeEvent({ type: 'worker-left', workerId: 'w-f597c1fc44', nickname: 'wA', reason: 'transport close', reassigned: true })).toBe('- worker wA left (transport close), its shard was reassigned');
    expect(describeEvent({ type: 'rejected', workerId: 'w-bf628c8dcd', reason: 'not-finite', message: 'tensor 0 holds NaN at 3' })).toBe('! refused a submission from w-bf628c: tensor 0 holds NaN at 3');
    expect(describeEvent({ type: 'worker-refused', address: '10.0.0.7', reason: 'unauthorized', message: 'wrong join code or worker token' })).toBe('! refused a worker from 10.0.0.7: wrong join code or worker token');
  });

  it('gives remote workers the address to use when the coordinator listens on every interface', () => {
    expect(describeEvent({ type: 'listening', url: 'http://127.0.0.1:8080', publicUrl: 'http://192.168.1.20:8080', runId: 'r', model: 'm', dataset: 'd', parameters: 1 })).toMatch(/^coordinator at http:\/\/127\.0\.0\.1:8080 \(workers elsewhere: http:\/\/192\.168\.1\.20:8080\)/);
  });
});
