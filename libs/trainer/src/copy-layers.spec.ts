import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { transfer } from '@shardgrad/models';
import { copyLayerWeights } from './copy-layers.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const build = (stage: string, seed: number, numClasses = 5) => transfer.build({ inputShape: [28, 28, 1], numClasses, seed, config: { stage } });
const values = (m: tf.LayersModel, name: string) => m.getLayer(name).getWeights().map((w) => Array.from(w.dataSync()));

describe('copyLayerWeights', () => {
  it('copies the base_* layers and leaves the head_* layers as initialised', () => {
    const from = build('pretrain', 1);
    const to = build('finetune', 2);
    const headBefore = ['head_dense', 'head_softmax'].map((n) => values(to, n));
    expect(copyLayerWeights(from, to, 'base')).toEqual(['base_conv1', 'base_conv2']);
    for (const name of ['base_conv1', 'base_conv2']) expect(values(to, name)).toEqual(values(from, name));
    expect(['head_dense', 'head_softmax'].map((n) => values(to, n))).toEqual(headBefore);
    expect(values(to, 'head_dense')).not.toEqual(values(from, 'head_dense'));
  });

  it('says what is wrong when the layers do not match', () => {
    expect(() => copyLayerWeights(build('pretrain', 1), build('finetune', 2), 'trunk')).toThrow(/no layer of the target model is named trunk/);
    const wide = transfer.build({ inputShape: [28, 28, 1], numClasses: 5, seed: 1, config: { stage: 'pretrain', layerNorm: true } });
    expect(() => copyLayerWeights(build('pretrain', 1), wide, 'base')).toThrow(/layer base_ln1 is missing from the source model/);
  });
});
