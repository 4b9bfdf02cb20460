import { describe, expect, it } from 'vitest';
import { barMetric, plannedEpochs } from './training-display.ts';

describe('the training bar', () => {
  it("shows the accuracy where the model has one, else the model's own first metric", () => {
    expect(barMetric({ accuracy: 0.9215, binaryAccuracy: 0.5 })).toBe('acc 92.2%');
    expect(barMetric({ mae: 0.04006 })).toBe('mae 0.04006');
    expect(barMetric({})).toBe('no metric');
  });

  it('plans the epochs of the flag, as many as --steps needs, or the model default', () => {
    const c = { config: { def: { defaults: { batch: 64, epochs: 3 } }, datasetName: 'mnist' } };
    expect(plannedEpochs({ epochs: 2 }, c)).toBe(2);
    expect(plannedEpochs({ steps: 10 }, c)).toBe(Number.POSITIVE_INFINITY);
    expect(plannedEpochs({}, c)).toBe(3);
  });
});
