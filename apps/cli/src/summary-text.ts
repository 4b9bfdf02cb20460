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

export function summaryText(s: SummaryFigures): string {
  const acc = s.testMetrics.accuracy;
  const head = `${acc !== undefined ? `test accuracy ${(acc * 100).toFixed(2)}%  ` : ''}test loss ${s.testLoss.toFixed(4)}  `;
  const lines = [
    '',
    `${head}${s.steps} steps in ${s.seconds.toFixed(1)} s (${Math.round(s.samplesPerSecond)} samples/s) on ${counted(s.workers, 'worker')}`,
  ];
  const others = Object.entries(s.testMetrics).filter(([k]) => k !== 'accuracy');
  if (others.length > 0) lines.push(`test ${others.map(([k, v]) => `${k} ${figure(v)}`).join('  ')}`);
  if (s.report) {
    const unit = typeof s.report.unit === 'string' ? ` ${s.report.unit}` : '';
    for (const [k, v] of Object.entries(s.report)) {
      if (k === 'unit') continue;
      lines.push(`  ${k.padEnd(20)} ${figure(v)}${/rmse/i.test(k) ? unit : ''}`);
    }
  }
  return lines.join('\n');
}
