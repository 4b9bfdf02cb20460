import { describe, expect, it } from 'vitest';
import { formatLrSchedule, learningRateAt, parseLrSchedule } from './lr-schedule.ts';

const at = (text: string, step: number, epoch: number, warmup = 0, totalSteps = 100) =>
  learningRateAt(0.1, parseLrSchedule(text), warmup, { step, epoch, totalSteps });

describe('learning-rate schedules', () => {
  it('constant keeps the base rate', () => {
    expect([0, 50, 99].map((s) => at('constant', s, s / 10))).toEqual([0.1, 0.1, 0.1]);
  });

  it('step:k:gamma multiplies by gamma every k whole epochs', () => {
    expect([0, 1.9, 2, 3.5, 4, 6].map((e) => at('step:2:0.5', 0, e))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
  });

  it('exponential:rate decays by rate per epoch, smoothly within an epoch', () => {
    expect(at('exponential:0.5', 0, 0)).toBe(0.1);
    expect(at('exponential:0.5', 0, 1)).toBeCloseTo(0.05, 12);
    expect(at('exponential:0.5', 0, 0.5)).toBeCloseTo(0.1 * Math.SQRT1_2, 12);
  });

  it('cosine falls from the base rate to near 0 over the run, half way at the middle, never to 0', () => {
    expect(at('cosine', 0, 0)).toBe(0.1);
    expect(at('cosine', 50, 5)).toBeCloseTo(0.05, 12);
    const last = at('cosine', 99, 9.9);
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(0.001);
    expect(at('cosine', 100, 10)).toBeGreaterThan(0);
  });

  it('warm-up ramps linearly to the base rate, then the schedule runs over the remaining steps', () => {
    expect([0, 1, 4].map((s) => at('cosine', s, 0, 5))).toEqual([0.02, 0.04, 0.1]);
    expect(at('cosine', 5, 0.5, 5)).toBe(0.1);
    expect(at('cosine', 5 + 95 / 2, 5, 5)).toBeCloseTo(0.05, 12);
    expect(at('step:1:0.1', 2, 2, 5)).toBeCloseTo(0.06, 12); // still warming up: the step decay waits
  });

  it('parses the CLI forms and prints them back', () => {
    for (const text of ['constant', 'cosine', 'step:3:0.5', 'exponential:0.9']) expect(formatLrSchedule(parseLrSchedule(text))).toBe(text);
  });

  it.each([
    ['linear', /unknown lr schedule "linear"; forms: constant, step:<epochs>:<gamma>, cosine or exponential:<rate>/],
    ['step:2', /step takes 2 parameters/],
    ['step:0:0.5', /whole number of epochs >= 1/],
    ['step:1.5:0.5', /whole number of epochs >= 1/],
    ['step:2:1.5', /gamma must be in \(0, 1\]/],
    ['exponential:0', /rate per epoch must be in \(0, 1\]/],
    ['exponential:', /rate per epoch/],
    ['cosine:3', /cosine takes 0 parameters/],
  ])('refuses "%s" with a clear message', (text, message) => {
    expect(() => parseLrSchedule(text)).toThrow(message);
  });
});
