import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cnn } from './cnn.ts';
import { mnistMlp } from './mnist-mlp.ts';
import { checkModelConfig, enabledOptions, readModelOptions, resolveInputStats } from './model-options.ts';
import { transfer } from './transfer.ts';
import { gan } from './gan/gan.ts';

const IMAGE = [28, 28, 1];

describe('common model options', () => {
  it('reads each option, off when left out', () => {
    expect(readModelOptions({})).toEqual({ dropout: 0, l1: 0, l2: 0, batchNorm: false, layerNorm: false, normalize: false, augment: {}, microBatch: 0 });
    const o = readModelOptions({ dropout: 0.3, l1: 1e-5, l2: 1e-4, batchNorm: true, normalize: { mean: 0.3, std: 0.2 }, augment: 'crop=2,flip' });
    expect(o).toMatchObject({ dropout: 0.3, l1: 1e-5, l2: 1e-4, batchNorm: true, normalize: { mean: 0.3, std: 0.2 }, augment: { crop: 2, flip: true } });
    expect(enabledOptions({ dropout: 0, augment: 'none', l2: 0.1 })).toEqual(['l2']);
    expect(readModelOptions({ microBatch: 512 }).microBatch).toBe(512);
    expect(enabledOptions({ microBatch: 512 })).toEqual(['microBatch']);
  });

  it.each([
    [{ dropout: 1 }, /dropout must be a rate in \[0, 1\)/],
    [{ dropout: '0.5' }, /dropout must be a rate/],
    [{ l2: -1 }, /l2 must be a coefficient >= 0/],
    [{ l1: Number.NaN }, /l1 must be a coefficient/],
    [{ batchNorm: 'yes' }, /batchNorm must be true or false/],
    [{ batchNorm: true, layerNorm: true }, /alternatives: choose one/],
    [{ normalize: { mean: 0, std: 0 } }, /normalize must be/],
    [{ augment: 'spin=3' }, /unknown option "spin"/],
    [{ augment: 3 }, /augment must be a string/],
    [{ microBatch: 0 }, /microBatch must be a whole number of samples >= 1, got 0/],
    [{ microBatch: 2.5 }, /microBatch must be a whole number/],
    [{ microBatch: '64' }, /microBatch must be a whole number/],
  ])('refuses %j', (config, message) => {
    expect(() => readModelOptions(config as Record<string, unknown>)).toThrow(message);
  });

  it('merges the model defaults under the user config and refuses what the model cannot use', () => {
    expect(checkModelConfig(cnn, { dropout: 0.3 }, IMAGE)).toEqual({ batchNorm: true, dropout: 0.3, augment: 'flip' });
    expect(() => checkModelConfig(cnn, { filter: 8 }, IMAGE)).toThrow(/model "cnn" has no option "filter"; it takes: .*filters, dense/);
    expect(() => checkModelConfig(transfer, { batchNorm: true }, IMAGE)).toThrow(/model "transfer" does not use batchNorm/);
    expect(() => checkModelConfig(mnistMlp, { augment: 'flip' }, [4])).toThrow(/augment needs image inputs/);
    expect(checkModelConfig(mnistMlp, { microBatch: 32 }, IMAGE)).toEqual({ microBatch: 32 });
    expect(() => checkModelConfig(gan, { microBatch: 32 }, IMAGE)).toThrow(/model "gan" does not use microBatch/);
    // Switching a default off is allowed even where the option is not supported.
    expect(() => checkModelConfig(transfer, { batchNorm: false }, IMAGE)).not.toThrow();
  });

  it('resolves normalize: true to the mean and std of the training inputs', () => {
    expect(resolveInputStats({ normalize: true, dropout: 0.1 }, Float32Array.from([0, 1, 0, 1]))).toEqual({ normalize: { mean: 0.5, std: 0.5 }, dropout: 0.1 });
    expect(resolveInputStats({ normalize: true }, new Float32Array(4).fill(0.2))).toEqual({ normalize: { mean: expect.closeTo(0.2, 6), std: 1 } });
    expect(resolveInputStats({ normalize: false }, new Float32Array(4))).toEqual({ normalize: false });
  });
});

describe('models built with the options', () => {
  const build = (config: Record<string, unknown>) => mnistMlp.build({ inputShape: IMAGE, numClasses: 10, seed: 1, config });
  const kinds = (m: tf.LayersModel) => m.layers.map((l) => l.getClassName());

  it('mnist-mlp without options is exactly the seed network', () => {
    const m = build({});
    expect(kinds(m)).toEqual(['Flatten', 'Dense', 'Dense']);
    expect(m.countParams()).toBe(784 * 128 + 128 + 128 * 10 + 10);
  });

  it('puts normalization before the activation, dropout after it, and the standardization first', () => {
    expect(kinds(build({ batchNorm: true, dropout: 0.2, normalize: { mean: 0.1, std: 0.3 } }))).toEqual([
      'Rescaling', 'Flatten', 'Dense', 'BatchNormalization', 'Activation', 'Dropout', 'Dense',
    ]);
    expect(kinds(build({ layerNorm: true }))).toEqual(['Flatten', 'Dense', 'LayerNormalization', 'Activation', 'Dense']);
  });

  it('the standardization layer maps the mean to 0 and mean + std to 1', () => {
    tf.tidy(() => {
      const m = build({ normalize: { mean: 0.25, std: 0.5 } });
      const out = m.layers[0]!.apply(tf.tensor([0.25, 0.75], [1, 2, 1, 1])) as tf.Tensor;
      expect(Array.from(out.dataSync())).toEqual([0, 1]);
    });
  });

  it('an L2 penalty is a loss of the kernels: 0.01 · Σw² for each penalised layer', () => {
    tf.tidy(() => {
      const m = build({ l2: 0.01 });
      const dense = m.layers.filter((l) => l.getClassName() === 'Dense');
      const want = dense.reduce((s, l) => s + 0.01 * tf.sum(tf.square(l.getWeights()[0]!)).dataSync()[0]!, 0);
      const got = dense.reduce((s, l) => s + l.calculateLosses().reduce((a, t) => a + t.dataSync()[0]!, 0), 0);
      expect(got).toBeCloseTo(want, 4);
    });
  });

  it('the transfer net freezes exactly its base in the finetune stage', () => {
    const ctx = { inputShape: IMAGE, numClasses: 5, seed: 1 };
    const fine = transfer.build({ ...ctx, config: { stage: 'finetune' } });
    const scratch = transfer.build({ ...ctx, config: { stage: 'scratch' } });
    expect(fine.trainableWeights.map((w) => w.originalName)).toEqual(['head_dense/kernel', 'head_dense/bias', 'head_softmax/kernel', 'head_softmax/bias']);
    expect(scratch.trainableWeights.length).toBe(8);
    expect(fine.layers.filter((l) => l.name.startsWith('base_')).every((l) => !l.trainable)).toBe(true);
    expect(() => transfer.build({ ...ctx, config: { stage: 'later' } })).toThrow(/stage must be one of pretrain, finetune, scratch/);
  });
});
