import { describe, expect, it } from 'vitest';
import { ANNOUNCED_SPEED_RANGE, MAX_COMPUTE_MS, MAX_METRICS, MAX_REPORTED_MAGNITUDE, helloSchema, readySchema, resultHeaderSchema } from './messages.ts';

const header = (over: Record<string, unknown> = {}) => ({ runId: 'r', round: 3, version: 3, shardId: 0, count: 32, loss: 2.3, metrics: { accuracy: 0.1 }, schemaHash: 'h', computeMs: 12, ...over });
const hello = (over: Record<string, unknown> = {}) => ({ protocol: 1, kind: 'node', backend: 'wasm', ...over });

describe('message schemas hold numbers to sane, finite ranges', () => {
  it('accepts what honest workers send', () => {
    expect(resultHeaderSchema.safeParse(header()).success).toBe(true);
    expect(resultHeaderSchema.safeParse(header({ computeMs: 0, loss: -3, metrics: undefined })).success).toBe(true);
    expect(helloSchema.safeParse(hello({ samplesPerSecond: 0.5 })).success).toBe(true);
    expect(readySchema.safeParse({ samplesPerSecond: 12_000 }).success).toBe(true);
    expect(readySchema.safeParse({}).success).toBe(true);
  });

  it('refuses a compute time that would overflow the speed model’s sums (1.7e308 is finite)', () => {
    expect(resultHeaderSchema.safeParse(header({ computeMs: 1.7e308 })).success).toBe(false);
    expect(resultHeaderSchema.safeParse(header({ computeMs: MAX_COMPUTE_MS + 1 })).success).toBe(false);
  });

  it('refuses a loss or metric that would make an epoch’s mean Infinity', () => {
    expect(resultHeaderSchema.safeParse(header({ loss: 1e308 })).success).toBe(false);
    expect(resultHeaderSchema.safeParse(header({ loss: -2 * MAX_REPORTED_MAGNITUDE })).success).toBe(false);
    expect(resultHeaderSchema.safeParse(header({ metrics: { accuracy: 1e308 } })).success).toBe(false);
    const many = Object.fromEntries(Array.from({ length: MAX_METRICS + 1 }, (_, i) => [`m${i}`, 0]));
    expect(resultHeaderSchema.safeParse(header({ metrics: many })).success).toBe(false);
  });

  it('refuses announced speeds no device has, in hello and in ready', () => {
    for (const speed of [1e308, 5e-324, 1e-300, 0, -1, ANNOUNCED_SPEED_RANGE.max * 10]) {
      expect(helloSchema.safeParse(hello({ samplesPerSecond: speed })).success, `${speed}`).toBe(false);
      expect(readySchema.safeParse({ samplesPerSecond: speed }).success, `${speed}`).toBe(false);
    }
  });
});
