import { describe, expect, it } from 'vitest';
import { formatMetric, reportText } from './evaluate.ts';

describe('evaluate: metrics in words', () => {
  it('gives fractions as percentages and errors in their own units', () => {
    expect(formatMetric('accuracy', 0.9123)).toBe('91.23%');
    expect(formatMetric('binaryAccuracy', 0.5)).toBe('50.00%');
    expect(formatMetric('mae', 0.07802)).toBe('0.07802');
  });
});

describe('evaluate: the model report as train prints it', () => {
  it('puts one figure a line, with the unit after RMSEs', () => {
    expect(reportText({ testRmse: 1.4673, linearBaselineRmse: 1.2329, beatsLinearBaseline: 'no', unit: '°C' })).toBe(
      ['  testRmse             1.467 °C', '  linearBaselineRmse   1.233 °C', '  beatsLinearBaseline  no'].join('\n'),
    );
    expect(reportText({})).toBeNull();
  });
});
