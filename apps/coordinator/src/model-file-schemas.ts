import { z } from 'zod';
import { positive, text, whole } from './schema-fields.ts';

/**
 * What shardgrad.json and model.json must hold before a model is built from them: a field missing or
 * of another type surfaced as a TypeError from deep inside evaluate, or as a model "undefined".
 */

const numbers = z.array(z.number({ error: 'a number' }), { error: 'a list of numbers' });
const options = z.record(z.string(), z.unknown(), { error: 'an object of options' });

const tabular = z.looseObject(
  {
    featureNames: z.array(z.string({ error: 'a name' }), { error: 'a list of names' }),
    targetName: z.string({ error: 'a name' }),
    targetScale: z.looseObject({ offset: z.number({ error: 'a number' }), scale: z.number({ error: 'a number' }), unit: z.string({ error: 'a unit' }) }, { error: 'the target scale {offset, scale, unit}' }),
    featureMean: numbers.optional(),
    featureStd: numbers.optional(),
  },
  { error: 'the tabular description {featureNames, targetName, targetScale}' },
);

/** shardgrad.json. Unknown keys are kept: export writes the meta back, and a newer shardgrad's additions must survive it. */
export const modelMetaSchema = z.looseObject(
  {
    model: text('a model name'),
    dataset: text('a dataset name'),
    inputShape: z.array(positive, { error: 'a list of whole numbers ≥ 1' }).min(1, { error: 'a list of whole numbers ≥ 1' }),
    labelSize: whole,
    numClasses: whole,
    classNames: z.array(z.string({ error: 'a class name' }), { error: 'a list of class names' }).optional(),
    runId: text('a run id').optional(),
    step: whole.optional(),
    // A metric that was NaN is written as null by JSON.stringify.
    metrics: z.record(z.string(), z.number().nullable(), { error: 'an object of metric values' }).optional(),
    datasetOptions: options.optional(),
    modelConfig: options.optional(),
    tabular: tabular.optional(),
  },
  { error: 'the model\'s description {model, dataset, inputShape, labelSize, numClasses, …}' },
);

/** Bytes per stored value, by the weight's dtype or its quantization's. */
export const BYTES_PER_VALUE = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 } as const;

const weightSpec = z.looseObject(
  {
    name: text('a weight name'),
    shape: z.array(whole, { error: 'a list of whole numbers ≥ 0' }),
    dtype: z.enum(['float32', 'int32', 'bool'], { error: 'float32, int32 or bool' }),
    quantization: z.looseObject({ dtype: z.enum(['uint8', 'uint16', 'float16'], { error: 'uint8, uint16 or float16' }) }, { error: 'a quantization {dtype, …}' }).optional(),
  },
  { error: 'a weight {name, shape, dtype}' },
);

/** model.json: the tfjs layers format with its weights manifest. */
export const modelJsonSchema = z.looseObject(
  {
    modelTopology: z.record(z.string(), z.unknown(), { error: 'the layers of the model (an object)' }),
    weightsManifest: z
      .array(
        z.looseObject(
          {
            paths: z.array(text('a file name'), { error: 'a list of file names' }).min(1, { error: 'a list of file names' }),
            weights: z.array(weightSpec, { error: 'a list of weights' }),
          },
          { error: 'a weights group {paths, weights}' },
        ),
        { error: 'a list of weights groups {paths, weights}' },
      )
      .min(1, { error: 'a list of weights groups {paths, weights}' }),
  },
  { error: 'a tfjs layers model {modelTopology, weightsManifest}' },
);

export type ModelJson = z.infer<typeof modelJsonSchema>;
export type WeightSpec = z.infer<typeof weightSpec>;
