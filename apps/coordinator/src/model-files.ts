import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type Dataset, isTabularDataset, type TargetScale } from '@shardgrad/data';
import { CHECKPOINTS_DIR, isRunDirectory, readRunInfo } from '@shardgrad/runlog';
import type { z } from 'zod';
import { ModelFileError } from './model-file-error.ts';
import { modelJsonSchema, modelMetaSchema } from './model-file-schemas.ts';
import { readManifestWeights } from './model-weights.ts';
import { describeIssue } from './schema-issue.ts';

export { ModelFileError } from './model-file-error.ts';

/** What shardgrad needs besides the tfjs layers format to use a saved model again. */
export interface ModelMeta {
  model: string;
  dataset: string;
  inputShape: number[];
  labelSize: number;
  numClasses: number;
  classNames?: string[];
  runId?: string;
  step?: number;
  metrics?: Record<string, number>;
  /**
   * The run's dataset options (class subset, playground features, vocabulary size…): evaluate and
   * predict rebuild the data with them. Absent in models saved before they were recorded here.
   */
  datasetOptions?: Record<string, unknown>;
  /**
   * The model config the run built and evaluated with: the model's defaults under the user's `--set`
   * and flags, input statistics resolved. Absent in models saved before it was recorded here.
   */
  modelConfig?: Record<string, unknown>;
  /** Tabular data (regression): what the columns are and how outputs map back to real units. */
  tabular?: TabularMeta;
}

/** What a model trained on standardized tabular data needs to speak in real units again. */
export interface TabularMeta {
  featureNames: string[];
  targetName: string;
  /** A standardized output y is `y * scale + offset` in `unit`. */
  targetScale: TargetScale;
  /** The training rows' mean and standard deviation of each feature: predict standardizes raw rows with them. Absent in models saved before they were recorded. */
  featureMean?: number[];
  featureStd?: number[];
}

/** Where a loaded model's dataset options and model config came from. */
export type SettingsSource = 'shardgrad.json' | 'run.json' | 'none';

/** The tabular part of a model's meta, for datasets that carry a target scale; undefined for others. */
export function tabularMeta(dataset: Dataset): TabularMeta | undefined {
  if (!isTabularDataset(dataset)) return undefined;
  return {
    featureNames: [...dataset.featureNames],
    targetName: dataset.targetName,
    targetScale: { ...dataset.targetScale },
    featureMean: [...dataset.featureStats.mean],
    featureStd: [...dataset.featureStats.std],
  };
}

const WEIGHTS_FILE = 'weights.bin';

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * Writes the standard tfjs layers format (model.json + one weights file), which tf.loadLayersModel
 * reads in Node and in the browser, plus shardgrad.json with the model's name and data shape.
 */
export async function saveModelDir(model: tf.LayersModel, dir: string, meta: ModelMeta): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData
        ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
        : new Uint8Array();
      await writeAtomic(join(dir, WEIGHTS_FILE), weights);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: 'shardgrad',
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs }],
      };
      await writeAtomic(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  await writeAtomic(join(dir, 'shardgrad.json'), JSON.stringify(meta, null, 2));
}

/**
 * The run directory a model directory belongs to: `runs/<id>/model` and `runs/<id>/checkpoints/step-N`
 * are inside one; an exported copy is not.
 */
export function runDirectoryOf(modelDir: string): string | undefined {
  const parent = dirname(modelDir);
  if (isRunDirectory(parent)) return parent;
  const grand = dirname(parent);
  if (basename(parent) === CHECKPOINTS_DIR && isRunDirectory(grand)) return grand;
  return undefined;
}

/**
 * The dataset options and model config recorded in the run.json next to a model saved before
 * shardgrad.json held them, when that run.json is the same run's and the same model's.
 */
function settingsFromRun(dir: string, meta: ModelMeta): Pick<ModelMeta, 'datasetOptions' | 'modelConfig'> | undefined {
  const runDir = runDirectoryOf(dir);
  if (!runDir) return undefined;
  try {
    const info = readRunInfo<{ model?: { name?: string; config?: Record<string, unknown> }; data?: { name?: string; options?: Record<string, unknown> } }>(runDir);
    if (meta.runId !== undefined && info.id !== meta.runId) return undefined;
    if (info.meta.model?.name !== meta.model || info.meta.data?.name !== meta.dataset) return undefined;
    return { datasetOptions: info.meta.data.options ?? {}, modelConfig: info.meta.model.config ?? {} };
  } catch {
    // An unreadable run.json is no worse than none: the caller falls back to the defaults.
    return undefined;
  }
}

/** A JSON file of a saved model, checked against its schema; every failure names the file. */
async function readChecked<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFileError(code === 'ENOENT' ? `${file}: no such file, so ${dirname(file)} is not a complete saved model` : `${file}: cannot read it (${(e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(`${file}: not JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ModelFileError(`${file}: ${describeIssue(parsed.error, raw)}`);
  return parsed.data;
}

/**
 * Loads a directory written by saveModelDir (or any tfjs layers model with a shardgrad.json beside it).
 * A model saved before shardgrad.json recorded the dataset options and model config gets them from
 * its run's run.json when it sits in a run directory; `settingsFrom` says where they came from
 * ('none': the caller uses the defaults). Anything on disk that does not hold up (a missing field, a
 * weights file of the wrong size, NaN weights) is a ModelFileError naming the file, before tfjs runs.
 */
export async function loadModelDir(dir: string): Promise<{ model: tf.LayersModel; meta: ModelMeta; settingsFrom: SettingsSource }> {
  const modelFile = join(dir, 'model.json');
  const modelJson = await readChecked(modelFile, modelJsonSchema);
  let meta = (await readChecked(join(dir, 'shardgrad.json'), modelMetaSchema)) as ModelMeta;
  let settingsFrom: SettingsSource = 'shardgrad.json';
  if (meta.datasetOptions === undefined || meta.modelConfig === undefined) {
    const fromRun = settingsFromRun(dir, meta);
    settingsFrom = fromRun ? 'run.json' : 'none';
    if (fromRun) meta = { ...meta, datasetOptions: meta.datasetOptions ?? fromRun.datasetOptions, modelConfig: meta.modelConfig ?? fromRun.modelConfig };
  }
  const { specs, data } = await readManifestWeights(dir, modelJson.weightsManifest);
  try {
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: data }),
    );
    return { model, meta, settingsFrom };
  } catch (e) {
    throw new ModelFileError(`${modelFile}: tfjs cannot build the model from it: ${(e as Error).message}`);
  }
}
