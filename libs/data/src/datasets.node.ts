import { type ClassSubsetOptions, selectClasses } from './class-subset.ts';
import type { Dataset } from './dataset.ts';
import { loadFashionMnist } from './fashion-mnist.node.ts';
import { loadMnist } from './mnist.node.ts';

export type DatasetLoader = (opts?: Record<string, unknown>) => Promise<Dataset> | Dataset;

/** Every dataset a node process can load by name; later loaders register themselves here. */
const loaders = new Map<string, DatasetLoader>([
  ['mnist', () => loadMnist()],
  ['fashion-mnist', (o) => loadFashionMnist(o as Parameters<typeof loadFashionMnist>[0])],
]);

export function registerDatasetLoader(name: string, loader: DatasetLoader): void {
  loaders.set(name, loader);
}

export function datasetNames(): string[] {
  return [...loaders.keys()].sort();
}

export async function loadDataset(name: string, opts?: Record<string, unknown>): Promise<Dataset> {
  const loader = loaders.get(name);
  if (!loader) throw new Error(`unknown dataset "${name}"; known datasets: ${datasetNames().join(', ')}`);
  // Class selection applies to every classification dataset, so loaders never see those keys.
  const { classes, trainPerClass, testPerClass, ...own } = opts ?? {};
  const ds = await loader(opts === undefined ? undefined : own);
  return selectClasses(ds, { classes, trainPerClass, testPerClass } as ClassSubsetOptions);
}
