import { describe, expect, it } from 'vitest';
import { formatMetric } from './evaluate.ts';

describe('evaluate: metrics in words', () => {
  it('gives fractions as percentages and errors in their own units', () => {
    expect(formatMetric('accuracy', 0.9123)).toBe('91.23%');
    expect(formatMetric('binaryAccuracy', 0.5)).toBe('50.00%');
    expect(formatMetric('mae', 0.07802)).toBe('0.07802');
  });
});
