import type { Dataset } from '@shardgrad/data';
import type { ModelDefinition } from '@shardgrad/models';
import { peakBytesPerSample } from '@shardgrad/trainer';

/**
 * Peak tensor bytes one pass in a worker may reach. tfjs's wasm heap stops at 4 GiB and grew about
 * 0.75 byte per byte of peak (the curriculum CNN: 2.5 GiB of heap for 3.4 GB of peak at 2,048
 * samples; at 4,096 the heap ran out and the backend hung). A browser tab on a phone has less.
 */
export const PASS_PEAK_BUDGET_BYTES = 2 ** 30;

/**
 * Below this batch no model of the library comes near the budget (the most per sample is the CNN's
 * 1.7 MB: 635 samples), so the probe, one or two seconds on the cpu backend, is skipped.
 */
export const PROBE_ABOVE_BATCH = 256;

/**
 * The run's model config with `microBatch` set where a whole batch in one pass could outgrow the
 * budget: measured from the model's peak bytes per sample. A config that names microBatch, a model
 * with its own step and a small batch are returned as they are.
 */
export async function withAutoMicroBatch(
  def: ModelDefinition,
  dataset: Dataset,
  modelConfig: Record<string, unknown>,
  batch: number,
): Promise<Record<string, unknown>> {
  if (modelConfig.microBatch !== undefined || def.customStep || batch <= PROBE_ABOVE_BATCH) return modelConfig;
  const perSample = await peakBytesPerSample(def, dataset, modelConfig);
  const fits = Math.max(1, Math.floor(PASS_PEAK_BUDGET_BYTES / Math.max(perSample, 1)));
  return fits < batch ? { ...modelConfig, microBatch: fits } : modelConfig;
}
