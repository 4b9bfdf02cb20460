import type * as tf from '@tensorflow/tfjs';
import { type ModelMeta, ModelFileError, type SettingsSource, loadModelDir, runDirectoryOf } from '@shardgrad/coordinator';
import { CLASS_SUBSET_KEYS, type Dataset } from '@shardgrad/data';
import { loadDataset } from '@shardgrad/data/node';
import { type ModelDefinition, datasetMismatch, getModel, runModelConfig } from '@shardgrad/models';
import { UsageError } from './output.ts';
import { type ModelSource, resolveModelSource } from './model-source.ts';

/** A saved model with what it was trained with: the model, its meta and its definition. */
export interface SavedModel {
  source: ModelSource;
  model: tf.LayersModel;
  meta: ModelMeta;
  def: ModelDefinition;
  /** Where the run's dataset options and model config were found. */
  settingsFrom: SettingsSource;
  /** The run directory the model belongs to, when it is in one. */
  runDir?: string;
}

/** loadModelDir, where a damaged model is the user's to fix (exit 2); its message names the file. */
export async function loadModelFiles(dir: string): ReturnType<typeof loadModelDir> {
  try {
    return await loadModelDir(dir);
  } catch (e) {
    if (e instanceof ModelFileError) throw new UsageError(e.message);
    throw e;
  }
}

/** Opens what a user names (a run, a checkpoint, a model directory; see resolveModelSource). */
export async function openSavedModel(path: string, opts: { runsDir?: string } = {}): Promise<SavedModel> {
  const source = resolveModelSource(path, opts);
  const { model, meta, settingsFrom } = await loadModelFiles(source.dir);
  let def: ModelDefinition;
  try {
    def = getModel(meta.model);
  } catch (e) {
    model.dispose();
    throw new UsageError(`${source.dir} holds a model of "${meta.model}", which this shardgrad does not know: ${(e as Error).message}`);
  }
  return { source, model, meta, def, settingsFrom, runDir: runDirectoryOf(source.dir) };
}

/** The test data rebuilt for a saved model, and the model context its evaluation and report need. */
export interface RebuiltData {
  dataset: Dataset;
  /** The options the dataset was loaded with. */
  options: Record<string, unknown>;
  /** The model config of the run (or, for a model that recorded none, the model's defaults). */
  modelConfig: Record<string, unknown>;
  /** Recorded options left out because the dataset asked for does not take them. */
  skipped: string[];
  /** One line for people: which dataset, which options from where, how many test rows. */
  description: string;
}

/** Option values as the flags take them: `classes=[5,6]`, `features=x2,y2`. */
const optionText = (o: Record<string, unknown>) =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');

const SOURCE_WORDS: Record<SettingsSource, string> = {
  'shardgrad.json': 'recorded with the model',
  'run.json': "from the run's run.json",
  none: 'an older model with no options recorded and no run.json beside it: the defaults',
};

/** A loader's refusal of its options: DatasetOptionError, or the class selection's RangeError. */
const refusesOptions = (e: unknown) => e instanceof RangeError;

/**
 * Loads the data a saved model is evaluated on, as training loaded it: the recorded dataset options
 * (class subset, features, vocabulary…), then the user's (`overrides`; a null value drops a recorded
 * option). On another dataset (`dataset`), the recorded options apply only where that dataset takes
 * them: first all of them, then only the class selection, then none.
 */
export async function rebuildData(saved: SavedModel, ask: { dataset?: string; overrides?: Record<string, unknown> } = {}): Promise<RebuiltData> {
  const { meta, def } = saved;
  const name = ask.dataset ?? meta.dataset;
  const mismatch = datasetMismatch(def, name);
  if (mismatch) throw new UsageError(mismatch);
  const recorded = meta.datasetOptions ?? {};
  const overrides = ask.overrides ?? {};
  const withOverrides = (base: Record<string, unknown>) => {
    const o: Record<string, unknown> = { ...base, ...overrides };
    for (const [k, v] of Object.entries(overrides)) if (v === null) delete o[k];
    return o;
  };
  const classOnly = Object.fromEntries(Object.entries(recorded).filter(([k]) => (CLASS_SUBSET_KEYS as readonly string[]).includes(k)));
  // The same dataset takes what it took in training; another gets as much of it as it accepts.
  const tries = name === meta.dataset ? [recorded] : [...new Map([recorded, classOnly, {}].map((o) => [JSON.stringify(o), o])).values()];
  let dataset: Dataset | undefined;
  let carried: Record<string, unknown> = {};
  let options: Record<string, unknown> = {};
  for (const [i, base] of tries.entries()) {
    options = withOverrides(base);
    try {
      dataset = await loadDataset(name, options);
      carried = base;
      break;
    } catch (e) {
      if (!refusesOptions(e)) throw e;
      if (i === tries.length - 1) throw new UsageError(`dataset "${name}" with options ${optionText(options) || '(none)'}: ${(e as Error).message}`);
    }
  }
  const ds = dataset!;
  checkFits(ds, meta, name);
  const skipped = Object.keys(recorded).filter((k) => !(k in carried) && !(k in overrides));
  const modelConfig = meta.modelConfig ?? defaultConfig(def, ds);
  return { dataset: ds, options, modelConfig, skipped, description: describe(saved, name, ds, options, carried, overrides, skipped) };
}

/** The data must have the shape the saved model was built for, or every figure would be wrong (or a crash). */
function checkFits(ds: Dataset, meta: ModelMeta, name: string): void {
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  const problems: string[] = [];
  if (!same(ds.inputShape, meta.inputShape)) problems.push(`inputs [${ds.inputShape.join(', ')}], the model takes [${meta.inputShape.join(', ')}]`);
  if (ds.labelSize !== meta.labelSize) problems.push(`labels of ${ds.labelSize} values a sample, the model was trained on ${meta.labelSize}`);
  else if (ds.numClasses !== meta.numClasses) problems.push(`${ds.numClasses} classes, the model was trained on ${meta.numClasses}`);
  if (problems.length > 0) {
    // Another image size is no option's doing; a class count or vocabulary size is.
    const hint = name === meta.dataset || same(ds.inputShape, meta.inputShape) ? '. Give the dataset options it was trained with (--dataset-option key=value)' : '';
    throw new UsageError(`${name} as loaded here does not fit the model: ${problems.join('; ')}${hint}`);
  }
}

/** A model saved without its config: the model's defaults, as the coordinator would have resolved them. */
function defaultConfig(def: ModelDefinition, ds: Dataset): Record<string, unknown> {
  try {
    return runModelConfig(def, {}, ds);
  } catch {
    return { ...(def.defaults.config ?? {}) };
  }
}

function describe(
  saved: SavedModel,
  name: string,
  ds: Dataset,
  options: Record<string, unknown>,
  carried: Record<string, unknown>,
  overrides: Record<string, unknown>,
  skipped: string[],
): string {
  const from: string[] = [];
  // Said whenever they did not come with the model itself, so an older model's figures are read knowingly.
  if (saved.settingsFrom !== 'shardgrad.json' || Object.keys(carried).length > 0) from.push(SOURCE_WORDS[saved.settingsFrom]);
  if (Object.keys(overrides).length > 0) from.push(`${Object.keys(overrides).join(', ')} from --dataset-option`);
  if (skipped.length > 0) from.push(`the run's ${skipped.join(', ')} left out: ${name} does not take ${skipped.length === 1 ? 'it' : 'them'}`);
  const which = name === saved.meta.dataset ? name : `${name} (the model trained on ${saved.meta.dataset})`;
  return `data: ${which} test split, ${ds.test.n} samples; options ${optionText(options) || 'none'}${from.length > 0 ? ` (${from.join('; ')})` : ''}`;
}
