import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type FeatureStats, TabularRowsError, isTabularDataset, rawTabularColumns, readRawTabularRows } from '@shardgrad/data';
import type { SavedModel } from './saved-model.ts';
import { rebuildData } from './saved-model.ts';
import { inputKind } from './input-kind.ts';
import { UsageError } from './output.ts';

export interface TabularInput {
  name: string;
  x: Float32Array;
  /** The row's own target, in real units, where the file has that column. */
  trueValue?: number;
}

/**
 * The training rows' feature statistics: recorded with the model, or, for a model saved before they
 * were, recomputed from its dataset (the split is fixed, so the figures are the same).
 */
async function featureStats(saved: SavedModel): Promise<FeatureStats> {
  const { featureMean, featureStd } = saved.meta.tabular ?? {};
  if (featureMean && featureStd) return { mean: featureMean, std: featureStd };
  const { dataset } = await rebuildData(saved);
  if (!isTabularDataset(dataset)) throw new UsageError(`${saved.meta.dataset} has no feature statistics to standardize rows with`);
  return dataset.featureStats;
}

/** CSV files of raw rows (a header line, then the dataset's raw columns) for a regression model. */
export async function readTabularInputs(files: readonly string[], saved: SavedModel): Promise<TabularInput[]> {
  const dataset = saved.meta.dataset;
  const columns = rawTabularColumns(dataset);
  if (!columns) throw new UsageError(`${saved.meta.model} on ${dataset} takes no rows from files: give --test-index rows of its test split`);
  const stats = await featureStats(saved);
  const targetName = saved.meta.tabular?.targetName ?? 'target';
  const inputs: TabularInput[] = [];
  for (const file of files) {
    // Named as a picture (the rule predict reads images by), it is one: say so before reading it as CSV.
    const named = inputKind(basename(file).replace(/\.gz$/i, ''), new Uint8Array(0));
    if (named === 'png' || named === 'idx') throw new UsageError(`${saved.meta.model} takes CSV rows (${columns.join(',')}), not images: ${file}`);
    if (/\.gz$/i.test(file)) throw new UsageError(`${saved.meta.model} reads CSV rows as plain text: ${file} is gzipped, give the CSV itself`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
    try {
      const rows = readRawTabularRows(dataset, text, { stats, targetName, source: file });
      const width = stats.mean.length;
      rows.names.forEach((name, i) => inputs.push({ name, x: rows.x.slice(i * width, (i + 1) * width), trueValue: rows.truth[i] }));
    } catch (e) {
      if (e instanceof TabularRowsError) throw new UsageError(e.message);
      throw e;
    }
  }
  return inputs;
}
