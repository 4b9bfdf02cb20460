import { join } from 'node:path';
import { csvFormatRows } from 'd3-dsv';
import { writeFileAtomicSync } from '@shardgrad/runlog';
import { renderChart } from '../render-chart.ts';
import { sweepCharts } from './charts.ts';
import { CSV_COLUMNS, sweepReport, type ReportInput } from './report.ts';

export const SWEEP_CSV = 'sweep.csv';
export const REPORT_MD = 'report.md';

/**
 * Writes what a sweep directory shows: sweep.csv (one row a point), each chart as SVG and PNG, and
 * report.md embedding them. Rewritten after every point, so an interrupted sweep still has a report.
 * Returns the files written, relative to `dir`.
 */
export async function writeSweepOutputs(dir: string, input: Omit<ReportInput, 'charts'>): Promise<string[]> {
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    writeFileAtomicSync(join(dir, name), data);
    files.push(name);
  };
  const rows = input.results.map((p) => CSV_COLUMNS.map(([, read]) => csvValue(read(p))));
  write(SWEEP_CSV, `${csvFormatRows([CSV_COLUMNS.map(([name]) => name), ...rows])}\n`);
  const charts = sweepCharts(input.results, {
    model: input.model,
    dataset: input.dataset,
    target: input.settings.targetAccuracy,
    simulated: input.settings.fleet === 'simulated',
  });
  for (const c of charts) {
    const { svg, png } = await renderChart(c.spec);
    write(`${c.name}.svg`, svg);
    write(`${c.name}.png`, png);
  }
  write(REPORT_MD, sweepReport({ ...input, charts }));
  return files;
}

function csvValue(v: string | number | boolean | null): string {
  if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return '';
  return String(v);
}
