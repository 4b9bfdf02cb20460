import { describe, expect, it } from 'vitest';
import { describeLearningRate, describeWaiting, displayName, formatRate } from './format.ts';

describe('what the dashboard writes', () => {
  it('rounds learning rates to 3 significant digits', () => {
    expect(formatRate(0.0016200000000000001)).toBe('0.00162');
    expect(formatRate(3.0000000000000004e-7)).toBe('3e-7');
    expect(formatRate(0.0029090788363524416)).toBe('0.00291');
    expect(formatRate(0.002)).toBe('0.002');
  });

  it('explains a rate that a schedule moves: the rate now, the base rate and the schedule', () => {
    const run = { learningRate: 0.0019234, baseLearningRate: 0.002 };
    expect(describeLearningRate({ ...run, lrSchedule: { schedule: 'cosine', warmupSteps: 50 } })).toBe('lr 0.00192 (base 0.002, cosine, warm-up 50 steps)');
    expect(describeLearningRate({ ...run, lrSchedule: { warmupSteps: 1 } })).toBe('lr 0.00192 (base 0.002, warm-up 1 step)');
    // A server that does not name its schedule: the rate still says it is scheduled.
    expect(describeLearningRate(run)).toBe('lr 0.00192 (base 0.002, scheduled)');
    expect(describeLearningRate({ learningRate: 0.002, baseLearningRate: 0.002 })).toBe('lr 0.002');
    expect(describeLearningRate({ learningRate: 0.0005 })).toBe('lr 0.0005');
  });

  it('says how many more workers the class waits for', () => {
    expect(describeWaiting({ needed: 2, have: 1, toStart: true })).toBe('waiting for 1 more worker (2 needed to start)');
    expect(describeWaiting({ needed: 3, have: 0, toStart: false })).toBe('waiting for 3 more workers (3 needed to go on)');
  });

  it('names a worker by its nickname, else by the first 8 characters of its id', () => {
    expect(displayName({ id: 'w-6b9d6ea026', nickname: 'Bob' })).toBe('Bob');
    expect(displayName({ id: 'w-6b9d6ea026' })).toBe('w-6b9d6e');
    expect(displayName({ id: 'w-6b9d6ea026', nickname: '' })).toBe('w-6b9d6e');
  });
});
