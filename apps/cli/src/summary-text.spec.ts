import { describe, expect, it } from 'vitest';
import { summaryText } from './summary-text.ts';

const base = { testLoss: 0.01, steps: 10, seconds: 2, samplesPerSecond: 320, workers: 2 };

describe('summary text', () => {
  it('shows accuracy only for models that measure it', () => {
    expect(summaryText({ ...base, testMetrics: { accuracy: 0.975 } })).toMatch(/test accuracy 97\.50%/);
    expect(summaryText({ ...base, workers: 1, testMetrics: {} })).toMatch(/on 1 worker$/m);
    expect(summaryText({ ...base, workers: 2, testMetrics: {} })).toMatch(/on 2 workers$/m);
    expect(summaryText({ ...base, testMetrics: { mae: 0.02 } })).not.toMatch(/accuracy/);
    expect(summaryText({ ...base, testMetrics: { mae: 0.02 } })).toMatch(/test mae 0\.02000/);
  });

  it('lists the report figures, with the unit after RMSEs', () => {
    const text = summaryText({ ...base, testMetrics: {}, report: { testRmse: 0.1679, linearBaselineRmse: 1.233, beatsLinearBaseline: 'yes', unit: '°C' } });
    expect(text).toMatch(/testRmse\s+0\.1679 °C/);
    expect(text).toMatch(/linearBaselineRmse\s+1\.233 °C/);
    expect(text).toMatch(/beatsLinearBaseline\s+yes$/m);
    expect(text).not.toMatch(/^\s*unit/m);
  });

  it('leaves out a loss the model does not have (policy gradients), keeping its metrics', () => {
    const text = summaryText({ ...base, testLoss: NaN, testMetrics: { meanReturn: -0.1 } });
    expect(text).not.toMatch(/NaN|test loss/);
    expect(text).toMatch(/^10 steps in 2\.0 s/m);
    expect(text).toMatch(/test meanReturn -0\.1000/);
  });

  it('puts every report figure in one column, however long its name', () => {
    const text = summaryText({ ...base, testMetrics: {}, report: { judgeConfidenceOnRealDigits: 0.9, fid: 12 } });
    const columns = text.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.search(/\S+$/));
    expect(new Set(columns).size).toBe(1);
  });
});
