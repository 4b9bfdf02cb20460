import { describe, expect, it } from 'vitest';
import { describeEvent } from './describe-event.ts';

describe('describeEvent: evaluations', () => {
  it('says a curve drawn on test rows is test data, not validation', () => {
    expect(describeEvent({ type: 'evaluation', split: 'test-sample', step: 50, loss: 0.31234, metrics: { accuracy: 0.912 } })).toBe('test (first 1,000) loss 0.3123, acc 91.2%');
    expect(describeEvent({ type: 'evaluation', split: 'validation', step: 50, loss: 0.5, metrics: { accuracy: 0.8 } })).toBe('validation loss 0.5000, acc 80.0%');
  });

  it('gives a model without a loss its metrics (the mean return of RL)', () => {
    expect(describeEvent({ type: 'evaluation', split: 'test-sample', step: 7, loss: NaN, metrics: { meanReturn: -3.5 } })).toBe('test (first 1,000) at step 7: meanReturn -3.500');
  });
});
