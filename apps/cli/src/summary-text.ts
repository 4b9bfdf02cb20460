import { counted } from './plural.ts';

/** The closing lines of `train` for people: the figures a model reports, whatever kind of model it is. */
export interface SummaryFigures {
  testLoss: number;
  testMetrics: Record<string, number>;
  report?: Record<string, number | string>;
  steps: number;
  seconds: number;
  samplesPerSecond: number;
  workers: number;
}

/** A figure for people: a string as it is, a count or a big value to two decimals, else four significant digits. */
export const figure = (v: number | string) => (typeof v === 'string' ? v : Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : v.toPrecision(4));

/**
 * The test figures in words: the accuracy where the model has one, and the loss where it has one
 * (a policy-gradient model has none: its figures are its metrics, e.g. the mean return).
 */
export function testHeadline(testLoss: number, testMetrics: Record<string, number>): string {
  const acc = testMetrics.accuracy;
  const parts = [acc !== undefined ? `test accuracy ${(acc * 100).toFixed(2)}%` : '', Number.isFinite(testLoss) ? `test loss ${testLoss.toFixed(4)}` : ''];
  return parts.filter(Boolean).join('  ');
}

export function summaryText(s: SummaryFigures): string {
  const head = testHeadline(s.testLoss, s.testMetrics);
  const lines = [
    '',
    `${head ? `${head}  ` : ''}${s.steps} steps in ${s.seconds.toFixed(1)} s (${Math.round(s.samplesPerSecond)} samples/s) on ${counted(s.workers, 'worker')}`,
  ];
  const others = Object.entries(s.testMetrics).filter(([k]) => k !== 'accuracy');
  if (others.length > 0) lines.push(`test ${others.map(([k, v]) => `${k} ${figure(v)}`).join('  ')}`);
  if (s.report) lines.push(...reportLines(s.report));
  return lines.join('\n');
}

/**
 * A model's report (ModelDefinition.report) for people, as train, evaluate and the phased models'
 * summary print it: one figure a line, in one column however long the longest name
 * (perplexityReductionPct, judgeConfidenceOnRealDigits), RMSEs with the report's unit.
 */
export function reportLines(figures: Record<string, number | string>, indent = '  '): string[] {
  const unit = typeof figures.unit === 'string' ? ` ${figures.unit}` : '';
  const entries = Object.entries(figures).filter(([k]) => k !== 'unit');
  const width = Math.max(20, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${indent}${k.padEnd(width)} ${figure(v)}${/rmse/i.test(k) ? unit : ''}`);
}
