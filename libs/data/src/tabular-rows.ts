import { csvParse } from 'd3-dsv';
import { SEATTLE_RAW_COLUMNS, seattleFeatures, seattleRowProblem, type FeatureStats } from './seattle-temperature.ts';

/** How one tabular dataset turns a row of its raw CSV columns into features. */
interface RawRowReader {
  columns: readonly string[];
  features(record: Record<string, string | undefined>): number[] | undefined;
  /** Which column of an unreadable row is wrong, in words. */
  problem(record: Record<string, string | undefined>): string | undefined;
}

const READERS: Record<string, RawRowReader> = {
  'seattle-temperature': { columns: SEATTLE_RAW_COLUMNS, features: seattleFeatures, problem: seattleRowProblem },
};

export class TabularRowsError extends Error {
  override name = 'TabularRowsError';
}

/** The raw CSV columns a model trained on `dataset` takes, or undefined where its rows cannot be read raw. */
export function rawTabularColumns(dataset: string): readonly string[] | undefined {
  return READERS[dataset]?.columns;
}

export interface RawTabularRows {
  /** `file:line` of each row, as a spreadsheet user finds it again. */
  names: string[];
  /** Features standardized with the training rows' statistics, one row after another. */
  x: Float32Array;
  /** The row's target column in real units, where the file has one. */
  truth: (number | undefined)[];
}

/**
 * Rows a user typed or exported (a CSV with a header line, the dataset's raw columns in any order,
 * extra columns ignored) as the model's standardized features: the same features and the same
 * training statistics as the run's own rows. A row that cannot be read is an error naming its line,
 * never a silent zero.
 */
export function readRawTabularRows(dataset: string, text: string, o: { stats: FeatureStats; targetName: string; source: string }): RawTabularRows {
  const reader = READERS[dataset];
  if (!reader) throw new TabularRowsError(`rows of dataset "${dataset}" cannot be read from a file; known: ${Object.keys(READERS).join(', ')}`);
  const records = csvParse(text.replace(/^\uFEFF/, ''));
  const missing = reader.columns.filter((c) => !records.columns.includes(c));
  if (missing.length > 0) {
    const have = records.columns.filter((c) => c.trim() !== '');
    throw new TabularRowsError(
      `${o.source}: a ${dataset} row needs the columns ${reader.columns.join(', ')} (a header line first); missing ${missing.join(', ')}` +
        (have.length > 0 ? `, the header has ${have.join(', ')}` : ''),
    );
  }
  if (records.length === 0) throw new TabularRowsError(`${o.source}: no rows after the header line`);
  const cols = o.stats.mean.length;
  const x = new Float32Array(records.length * cols);
  const truth: (number | undefined)[] = [];
  records.forEach((r, i) => {
    const line = i + 2;
    const features = reader.features(r);
    if (!features) {
      const shown = Object.fromEntries(reader.columns.map((c) => [c, r[c]]));
      const why = reader.problem(r);
      throw new TabularRowsError(`${o.source} line ${line}: ${why ? `${why}, so ` : ''}${JSON.stringify(shown)} is not a row of ${reader.columns.join(', ')}`);
    }
    if (features.length !== cols) throw new TabularRowsError(`${dataset} rows have ${features.length} features, the model's statistics ${cols}`);
    features.forEach((v, j) => (x[i * cols + j] = (v - o.stats.mean[j]!) / o.stats.std[j]!));
    const target = r[o.targetName]?.trim();
    const value = target ? Number(target) : undefined;
    if (value !== undefined && !Number.isFinite(value)) throw new TabularRowsError(`${o.source} line ${line}: ${o.targetName} "${target}" is not a number`);
    truth.push(value);
  });
  const file = o.source.split('/').pop() ?? o.source;
  return { names: records.map((_, i) => `${file}:${i + 2}`), x, truth };
}
