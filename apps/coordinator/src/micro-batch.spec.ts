import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { loadMnist } from '@shardgrad/data/node';
import { cnn, gan, mnistMlp, runModelConfig } from '@shardgrad/models';
import { peakBytesPerSample } from '@shardgrad/trainer';
import { PASS_PEAK_BUDGET_BYTES, PROBE_ABOVE_BATCH, withAutoMicroBatch } from './micro-batch.ts';
import { prepareRun } from './create-coordinator.ts';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('the pass size a run gets', () => {
  it("measures the CNN's peak bytes per sample and cuts a 4,096 batch into passes under the budget", async () => {
    const ds = loadMnist();
    const config = runModelConfig(cnn, {}, ds);
    const perSample = await peakBytesPerSample(cnn, ds, config);
    // Its first conv's activations alone, float32, are 28·28·16·4 = 50 kB a sample.
    expect(perSample).toBeGreaterThan(28 * 28 * 16 * 4);
    const got = await withAutoMicroBatch(cnn, ds, config, 4096);
    expect(got.microBatch).toBe(Math.floor(PASS_PEAK_BUDGET_BYTES / perSample));
    expect(got.microBatch as number).toBeLessThan(4096);
    expect(got).toMatchObject(config);
    // Nothing else moved: the probe used a model of its own.
    expect(tf.memory().numTensors).toBeLessThan(1000);
  });

  it('leaves a config alone where the user chose, the model steps itself, the batch is small or all of it fits', async () => {
    const ds = loadMnist();
    const config = runModelConfig(cnn, {}, ds);
    expect(await withAutoMicroBatch(cnn, ds, { ...config, microBatch: 64 }, 4096)).toEqual({ ...config, microBatch: 64 });
    expect(await withAutoMicroBatch(cnn, ds, config, PROBE_ABOVE_BATCH)).toBe(config);
    expect(await withAutoMicroBatch(gan, ds, {}, 4096)).toEqual({});
    const mlp = runModelConfig(mnistMlp, {}, ds);
    expect(await withAutoMicroBatch(mnistMlp, ds, mlp, 4096)).toBe(mlp);
  });

  it('prepareRun gives a big-batch CNN run its passes, and workers get them in modelConfig', async () => {
    const run = await prepareRun({ model: 'cnn', dataset: 'mnist', batch: 4096 });
    expect(run.modelConfig?.microBatch).toBeGreaterThan(100);
    expect(run.modelConfig?.microBatch).toBeLessThan(4096);
    run.state.model.dispose();
    // A batch that starts small but may grow (--adaptive-batch) gets passes sized for its largest.
    const growing = await prepareRun({ model: 'cnn', dataset: 'mnist', batch: 64, largestBatch: 4096 });
    expect(growing.modelConfig?.microBatch).toBe(run.modelConfig?.microBatch);
    growing.state.model.dispose();
    await expect(prepareRun({ model: 'cnn', dataset: 'mnist', batch: 4096, modelConfig: { microBatch: 0 } })).rejects.toThrow(/microBatch must be a whole number/);
  });
});
