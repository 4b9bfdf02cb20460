import { describe, expect, it } from 'vitest';
import { compressTensor, encodeTensors, type TensorSpec } from '@shardgrad/codec';
import { ProtocolError } from '@shardgrad/protocol';
import { getModel } from '@shardgrad/models';
import { impossibleValues, missingMetrics, validateResult } from './validate-result.ts';

const specs: TensorSpec[] = [
  { shape: [3, 2], dtype: 'float32' },
  { shape: [2], dtype: 'float32' },
];
const expected = { runId: 'r', schemaHash: 'h', specs, maxPayloadBytes: 10_000 };
const header = (over: Record<string, unknown> = {}) => ({ runId: 'r', round: 1, version: 1, shardId: 0, count: 4, loss: 1, metrics: { accuracy: 0.5 }, schemaHash: 'h', computeMs: 3, ...over });
const raw = () => encodeTensors(specs.map((s) => ({ shape: [...s.shape], dtype: 'float32' as const, data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)).fill(0.5) })));
const fp16 = () => encodeTensors(specs.map((s) => compressTensor([...s.shape], new Float32Array(s.shape.reduce((a, b) => a * b, 1)).fill(0.5), 'fp16')));

const refusal = (h: unknown, payload: unknown) => {
  try {
    validateResult(h, payload, expected);
  } catch (e) {
    return e instanceof ProtocolError ? { reason: e.reason, message: e.message } : { reason: 'thrown', message: String(e) };
  }
  return undefined;
};

describe('validateResult', () => {
  it('requires the payload to hold the encoding its header names', () => {
    expect(refusal(header({ encoding: 'fp16' }), raw())).toMatchObject({ reason: 'malformed', message: expect.stringMatching(/header says fp16, the payload holds no fp16/) });
    expect(refusal(header({ encoding: 'int8' }), fp16())).toMatchObject({ reason: 'malformed' });
    expect(refusal(header(), fp16())).toMatchObject({ reason: 'malformed' });
    expect(validateResult(header({ encoding: 'fp16' }), fp16(), expected).encoding).toBe('fp16');
    expect(validateResult(header(), raw(), expected).encoding).toBe('none');
  });

  it("says a NaN loss (null in the header's JSON) is a diverged model, not a garbled header", () => {
    for (const loss of [null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(refusal(header({ loss }), raw())).toMatchObject({ reason: 'not-finite', message: expect.stringMatching(/loss is NaN or infinite: the model diverged/) });
    }
    expect(refusal(header({ loss: 'x' }), raw())).toMatchObject({ reason: 'malformed' });
  });

  it('refuses, with a reason, a header whose numbers are out of range and a missing payload', () => {
    expect(refusal(header({ loss: 1e308 }), raw())).toMatchObject({ reason: 'malformed' });
    expect(refusal(header({ computeMs: 1.7e308 }), raw())).toMatchObject({ reason: 'malformed' });
    expect(refusal(header(), undefined)).toMatchObject({ reason: 'malformed', message: expect.stringMatching(/not binary/) });
  });
});

describe('impossibleValues', () => {
  it("names a loss below zero or a metric outside its range, for the model's own metrics", () => {
    const mlp = getModel('mnist-mlp');
    expect(impossibleValues(mlp, { loss: 0.3, metrics: { accuracy: 0.9 } })).toBeUndefined();
    expect(impossibleValues(mlp, { loss: 0, metrics: { accuracy: 1 } })).toBeUndefined();
    expect(impossibleValues(mlp, { loss: -0.46, metrics: { accuracy: 0.9 } })).toMatch(/loss of -0.46.*never negative/);
    expect(impossibleValues(mlp, { loss: 0.2, metrics: { accuracy: 62_018 } })).toMatch(/accuracy of 62018, outside the \[0, 1\]/);
    expect(impossibleValues(mlp, { loss: 0.2, metrics: { accuracy: -0.01 } })).toMatch(/accuracy/);
    // A metric the model does not compute, or one absent, is missingMetrics' concern.
    expect(impossibleValues(mlp, { loss: 0.2, metrics: { other: 5 } })).toBeUndefined();
    const regression = getModel('regression');
    expect(Object.keys(regression.metrics)).toContain('mae');
    expect(impossibleValues(regression, { loss: 4, metrics: { mae: 1e4 } })).toBeUndefined();
    expect(impossibleValues(regression, { loss: 4, metrics: { mae: -1 } })).toMatch(/mae/);
  });

  it('leaves custom steps alone: a GAN or policy-gradient loss has either sign', () => {
    const gan = getModel('gan');
    expect(gan.customStep).toBeDefined();
    expect(impossibleValues(gan, { loss: -3, metrics: {} })).toBeUndefined();
  });
});


describe('missingMetrics', () => {
  it("asks a supervised model's result for exactly the model's metrics", () => {
    const mlp = getModel('mnist-mlp');
    expect(Object.keys(mlp.metrics)).toEqual(['accuracy']);
    expect(missingMetrics(mlp, { accuracy: 0.7 })).toBeUndefined();
    // Without metrics at all, the round's accuracy would be the other workers' alone.
    expect(missingMetrics(mlp, undefined)).toBe('result lacks the metric accuracy');
    expect(missingMetrics(mlp, {})).toBe('result lacks the metric accuracy');
    expect(missingMetrics(mlp, { accuracy: 0.7, bonus: 1 })).toMatch(/reports bonus, which this model does not compute \(its metrics: accuracy\)/);
    // A prototype's name is no metric of the model.
    expect(missingMetrics(mlp, { accuracy: 0.7, toString: 1 })).toMatch(/reports toString/);
  });

  it('leaves custom steps to name their own metrics', () => {
    const gan = getModel('gan');
    expect(missingMetrics(gan, undefined)).toBeUndefined();
    expect(missingMetrics(gan, { dLoss: 0.3, anything: 2 })).toBeUndefined();
  });
});
