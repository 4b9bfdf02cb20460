import { csvParse } from 'd3-dsv';
import type { Dataset, Split } from './dataset.ts';
import { permutation } from './seeded-random.ts';

/**
 * Seattle's hourly climate normals (vega-datasets `seattle-weather-hourly-normals.csv`: NOAA's
 * 1981-2010 normals, one row per hour of a year): predict the temperature from the season, the
 * hour, the pressure and the wind. The daily cycle's size changes with the season, so the target is
 * not linear in the inputs: a linear model misses what a small MLP learns.
 */
export const SEATTLE_FEATURES = ['sinDay', 'cosDay', 'sinHour', 'cosHour', 'pressure', 'wind'] as const;

/** The CSV columns a row's features come from (the target, temperature, is the fourth column of the file). */
export const SEATTLE_RAW_COLUMNS = ['date', 'pressure', 'wind'] as const;

/** Fixed so every process derives the same split. */
const SPLIT_SEED = 20_160_101;
export const SEATTLE_TEST_FRACTION = 0.2;

/** How standardized targets map back to real units: real = value * scale + offset. */
export interface TargetScale {
  offset: number;
  scale: number;
  unit: string;
}

/** The training rows' mean and standard deviation of each feature: x = (raw − mean) / std. */
export interface FeatureStats {
  mean: number[];
  std: number[];
}

export interface TabularDataset extends Dataset {
  featureNames: string[];
  targetName: string;
  targetScale: TargetScale;
  featureStats: FeatureStats;
}

interface Row {
  features: number[];
  target: number;
}

/** What is wrong with a raw row's columns, in words, or undefined where they are all readable. */
export function seattleRowProblem(r: Record<string, string | undefined>): string | undefined {
  if (!/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.test(r.date ?? '')) return `date ${JSON.stringify(r.date ?? '')} is not YYYY-MM-DDTHH:MM`;
  for (const c of ['pressure', 'wind'] as const) {
    if (!r[c]?.trim() || !Number.isFinite(Number(r[c]))) return `${c} ${JSON.stringify(r[c] ?? '')} is not a number`;
  }
  return undefined;
}

/**
 * A row's features from its raw columns (date, pressure, wind), before standardization; undefined
 * where a column is missing or not a number (seattleRowProblem says which).
 */
export function seattleFeatures(r: Record<string, string | undefined>): number[] | undefined {
  if (seattleRowProblem(r)) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(r.date!)!;
  const pressure = Number(r.pressure);
  const wind = Number(r.wind);
  const [, y, mo, d, h, mi] = m.map(Number) as number[];
  const dayOfYear = (Date.UTC(y!, mo! - 1, d!) - Date.UTC(y!, 0, 1)) / 86_400_000;
  const hour = h! + mi! / 60;
  const day = (2 * Math.PI * dayOfYear) / 365;
  const clock = (2 * Math.PI * hour) / 24;
  return [Math.sin(day), Math.cos(day), Math.sin(clock), Math.cos(clock), pressure, wind];
}

function parseRow(r: Record<string, string | undefined>, line: number): Row {
  const features = seattleFeatures(r);
  const temperature = Number(r.temperature);
  if (!features || !r.temperature?.trim() || !Number.isFinite(temperature)) {
    throw new Error(`seattle-temperature: line ${line} is not "date,pressure,temperature,wind": ${JSON.stringify(r)}`);
  }
  return { features, target: temperature };
}

/** Mean and standard deviation of each column of the training rows only, so no test value leaks in. */
function columnStats(rows: Row[], cols: number): FeatureStats {
  const mean = new Array<number>(cols).fill(0);
  const sq = new Array<number>(cols).fill(0);
  for (const r of rows) r.features.forEach((v, j) => (mean[j]! += v / rows.length));
  for (const r of rows) r.features.forEach((v, j) => (sq[j]! += (v - mean[j]!) ** 2 / rows.length));
  return { mean, std: sq.map((s) => Math.sqrt(s) || 1) };
}

/** Builds the dataset from the CSV text; isomorphic (node reads the file, a browser fetches it). */
export function seattleTemperatureFromCsv(text: string): TabularDataset {
  const rows = csvParse(text).map((r, i) => parseRow(r, i + 2));
  if (rows.length < 10) throw new Error(`seattle-temperature: expected hourly rows, got ${rows.length}`);
  const order = permutation(rows.length, SPLIT_SEED);
  const nTest = Math.round(rows.length * SEATTLE_TEST_FRACTION);
  const trainRows = Array.from(order.subarray(0, rows.length - nTest), (i) => rows[i]!);
  const testRows = Array.from(order.subarray(rows.length - nTest), (i) => rows[i]!);
  const cols = SEATTLE_FEATURES.length;
  const { mean, std } = columnStats(trainRows, cols);
  const tMean = trainRows.reduce((s, r) => s + r.target, 0) / trainRows.length;
  const tStd = Math.sqrt(trainRows.reduce((s, r) => s + (r.target - tMean) ** 2, 0) / trainRows.length) || 1;
  const toSplit = (part: Row[]): Split => {
    const x = new Float32Array(part.length * cols);
    const y = new Float32Array(part.length);
    part.forEach((r, i) => {
      r.features.forEach((v, j) => (x[i * cols + j] = (v - mean[j]!) / std[j]!));
      y[i] = (r.target - tMean) / tStd;
    });
    return { x, y, n: part.length };
  };
  return {
    name: 'seattle-temperature',
    inputShape: [cols],
    labelSize: 1,
    numClasses: 1,
    featureNames: [...SEATTLE_FEATURES],
    targetName: 'temperature',
    targetScale: { offset: tMean, scale: tStd, unit: '°C' },
    featureStats: { mean, std },
    train: toSplit(trainRows),
    test: toSplit(testRows),
  };
}

export function isTabularDataset(ds: Dataset): ds is TabularDataset {
  return 'targetScale' in ds && 'featureNames' in ds && 'featureStats' in ds;
}
