import { describe, expect, it } from 'vitest';
import { loadSeattleTemperature } from './seattle-temperature.node.ts';
import { SEATTLE_FEATURES, seattleTemperatureFromCsv } from './seattle-temperature.ts';

function csv(rows: number): string {
  const lines = ['date,pressure,temperature,wind'];
  for (let i = 0; i < rows; i++) {
    const d = new Date(Date.UTC(2010, 0, 1, i));
    lines.push(`${d.toISOString().slice(0, 19)},${1010 + (i % 7)},${5 + (i % 11)},${(i % 5) + 0.5}`);
  }
  return lines.join('\n');
}

const mean = (a: ArrayLike<number>, col: number, cols: number, n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * cols + col]!;
  return s / n;
};

describe('seattle-temperature', () => {
  it('standardizes features and target with training statistics only, and keeps the scale back to °C', () => {
    const ds = seattleTemperatureFromCsv(csv(100));
    expect(ds.train.n + ds.test.n).toBe(100);
    expect(ds.test.n).toBe(20);
    const cols = SEATTLE_FEATURES.length;
    for (let j = 0; j < cols; j++) expect(Math.abs(mean(ds.train.x, j, cols, ds.train.n))).toBeLessThan(1e-5);
    expect(Math.abs(mean(ds.train.y, 0, 1, ds.train.n))).toBeLessThan(1e-5);
    expect(ds.targetScale.unit).toBe('°C');
    const real = ds.test.y[0]! * ds.targetScale.scale + ds.targetScale.offset;
    expect(real).toBeGreaterThanOrEqual(5);
    expect(real).toBeLessThanOrEqual(15);
  });

  it('refuses a malformed row with its line number', () => {
    expect(() => seattleTemperatureFromCsv(`${csv(20)}\n2010-01-02T00:00:00,,7,1`)).toThrow(/line 22/);
    expect(() => seattleTemperatureFromCsv('date,pressure,temperature,wind\nyesterday,1,2,3')).toThrow(/line 2/);
  });

  it('loads the hourly normals that vega-datasets ships, with the same split every time', () => {
    const ds = loadSeattleTemperature();
    expect(ds.train.n + ds.test.n).toBeGreaterThan(8700);
    expect(ds.inputShape).toEqual([6]);
    expect(ds.targetScale.offset).toBeGreaterThan(5);
    expect(ds.targetScale.offset).toBeLessThan(20);
    expect(() => loadSeattleTemperature({ noise: 1 })).toThrow(/takes no options/);
  });
});
