import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

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

/** Loads a directory written by saveModelDir (or any tfjs layers model with a shardgrad.json beside it). */
export async function loadModelDir(dir: string): Promise<{ model: tf.LayersModel; meta: ModelMeta }> {
  let modelJson: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  let meta: ModelMeta;
  try {
    modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    meta = JSON.parse(await readFile(join(dir, 'shardgrad.json'), 'utf8'));
  } catch (e) {
    throw new Error(`cannot read a saved model in ${dir}: ${(e as Error).message}`);
  }
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => readFile(join(dir, p)))));
  const joined = new Uint8Array(buffers.reduce((s, b) => s + b.byteLength, 0));
  let off = 0;
  for (const b of buffers) {
    joined.set(b, off);
    off += b.byteLength;
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData: joined.buffer }),
  );
  return { model, meta };
}
