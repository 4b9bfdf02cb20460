import { describe, expect, it } from 'vitest';
import { seattleTemperatureFromCsv } from './seattle-temperature.ts';
import { TabularRowsError, rawTabularColumns, readRawTabularRows } from './tabular-rows.ts';

function csv(rows: number): string {
  const lines = ['date,pressure,temperature,wind'];
  for (let i = 0; i < rows; i++) {
    const d = new Date(Date.UTC(2010, 0, 1, i * 7));
    lines.push(`${d.toISOString().slice(0, 19)},${1010 + (i % 7)},${5 + (i % 11)},${(i % 5) + 0.5}`);
  }
  return lines.join('\n');
}

const row = (x: Float32Array, i: number, cols: number) => Array.from(x.subarray(i * cols, (i + 1) * cols));

describe('raw tabular rows', () => {
  it("standardize a file's rows exactly as the dataset standardized its own training rows", () => {
    const text = csv(60);
    const ds = seattleTemperatureFromCsv(text);
    const cols = ds.inputShape[0]!;
    const raw = readRawTabularRows('seattle-temperature', text, { stats: ds.featureStats, targetName: 'temperature', source: 'normals.csv' });
    expect(raw.names[0]).toBe('normals.csv:2');
    expect(raw.x.length).toBe(60 * cols);
    // Every training row is one of the file's rows, features and target alike.
    for (let i = 0; i < ds.train.n; i++) {
      const want = row(ds.train.x, i, cols);
      const j = raw.names.findIndex((_, k) => row(raw.x, k, cols).every((v, c) => Math.abs(v - want[c]!) < 1e-6));
      expect(j, `train row ${i}`).toBeGreaterThanOrEqual(0);
      expect(raw.truth[j]).toBeCloseTo(ds.train.y[i]! * ds.targetScale.scale + ds.targetScale.offset, 4);
    }
  });

  it('take the columns in any order, ignore extra ones, and leave the truth out where the target is blank', () => {
    const stats = { mean: [0, 0, 0, 0, 1000, 0], std: [1, 1, 1, 1, 10, 1] };
    const r = readRawTabularRows('seattle-temperature', '\uFEFFwind,note,pressure,date,temperature\n3,hi,1010,2026-03-01T12:00,\n', { stats, targetName: 'temperature', source: 'a/b.csv' });
    expect(r.names).toEqual(['b.csv:2']);
    expect(r.truth).toEqual([undefined]);
    expect(r.x[4]).toBeCloseTo(1, 6);
    expect(r.x[5]).toBeCloseTo(3, 6);
  });

  it('refuse what cannot be read, naming the file, the line and the columns', () => {
    const o = { stats: { mean: [0, 0, 0, 0, 0, 0], std: [1, 1, 1, 1, 1, 1] }, targetName: 'temperature', source: 'x.csv' };
    const read = (text: string, dataset = 'seattle-temperature') => () => readRawTabularRows(dataset, text, o);
    expect(read('date,pressure\n2026-01-01T00:00,1000')).toThrow(/x\.csv: a seattle-temperature row needs the columns date, pressure, wind .*missing wind, the header has date, pressure/);
    expect(read('')).toThrow(/missing date, pressure, wind/);
    expect(read('date,pressure,wind\n')).toThrow(/x\.csv: no rows after the header line/);
    expect(read('date,pressure,wind\n2026-01-01T00:00,1000,2\nlast tuesday,1000,2')).toThrow(/x\.csv line 3: date "last tuesday" is not YYYY-MM-DDTHH:MM, so .* is not a row of date, pressure, wind/);
    expect(read('date,pressure,wind\n2026-01-01T00:00,,2')).toThrow(/line 2: pressure "" is not a number/);
    expect(read('date,pressure,wind\n2026-01-01T00:00,1000,gusty')).toThrow(/line 2: wind "gusty" is not a number/);
    expect(read('date,pressure,wind,temperature\n2026-01-01T00:00,1000,2,warm')).toThrow(/line 2: temperature "warm" is not a number/);
    expect(read('a,b\n1,2', 'mnist')).toThrow(TabularRowsError);
    expect(rawTabularColumns('seattle-temperature')).toEqual(['date', 'pressure', 'wind']);
    expect(rawTabularColumns('mnist')).toBeUndefined();
  });
});
