import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { seattleTemperatureFromCsv, type TabularDataset } from './seattle-temperature.ts';
import { DatasetOptionError } from './dataset.ts';

let cached: TabularDataset | undefined;

/** Reads the CSV that the npm `vega-datasets` package ships; no network involved. */
export function loadSeattleTemperature(opts: Record<string, unknown> = {}): TabularDataset {
  const extra = Object.keys(opts);
  if (extra.length > 0) throw new DatasetOptionError(`dataset "seattle-temperature" takes no options, got: ${extra.join(', ')}`);
  if (cached) return cached;
  // The package exports only its JS entry (build/index.js); the CSV files sit in data/ beside build/.
  const entry = createRequire(import.meta.url).resolve('vega-datasets');
  const file = join(dirname(dirname(entry)), 'data', 'seattle-weather-hourly-normals.csv');
  cached = seattleTemperatureFromCsv(readFileSync(file, 'utf8'));
  return cached;
}
