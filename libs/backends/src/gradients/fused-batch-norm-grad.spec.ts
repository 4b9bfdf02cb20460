import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { broadcastBatchNormGradConfig } from './fused-batch-norm-grad.ts';

/** tfjs-core's own gradient, as registered before ours replaces it. */
let original: tf.GradConfig;

beforeAll(async () => {
  await tf.setBackend('cpu');
  original = tf.getGradient('FusedBatchNorm')!;
});

/** Gradients of a batch norm's inputs under the given gradient config. */
function gradients(config: tf.GradConfig, shape: number[], perChannel: boolean): Float32Array[] {
  tf.registerGradient(config);
  return tf.tidy(() => {
    const c = shape.at(-1)!;
    const statShape = perChannel ? [c] : shape;
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
    const mean = tf.randomNormal(statShape, 0, 0.5, 'float32', 2);
    const variance = tf.randomUniform(statShape, 0.5, 2, 'float32', 3);
    const offset = tf.randomNormal(statShape, 0, 1, 'float32', 4);
    const scale = tf.randomUniform(statShape, 0.5, 1.5, 'float32', 5);
    const w = tf.randomNormal(shape, 0, 1, 'float32', 6);
    const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(w, tf.batchNorm(a, m, v, o, s, 1e-3)));
    return tf.grads(f)([x, mean, variance, offset, scale]).map((t) => t.dataSync() as Float32Array);
  });
}

describe('FusedBatchNorm gradient without tile', () => {
  it.each([
    ['conv features [n, h, w, c], per-channel statistics', [4, 5, 6, 3], true],
    ['dense features [n, c], per-channel statistics', [8, 7], true],
    ['full-shape statistics', [2, 3, 4, 2], false],
  ] as const)('matches tfjs-core for %s', (_name, shape, perChannel) => {
    const want = gradients(original, [...shape], perChannel);
    const got = gradients(broadcastBatchNormGradConfig, [...shape], perChannel);
    tf.registerGradient(original);
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      expect(g.length).toBe(want[i]!.length);
      g.forEach((v, j) => expect(Math.abs(v - want[i]![j]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i]![j]!))));
    });
  });

  it('gives a conv net with batch-norm layers the same weight gradients', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.batchNormalization(),
      ],
    });
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const step = (config: tf.GradConfig) => {
      tf.registerGradient(config);
      return tf.tidy(() => {
        const x = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 7);
        const { grads } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
        return vars.map((v) => Array.from(grads[v.name]!.dataSync()));
      });
    };
    const want = step(original);
    const got = step(broadcastBatchNormGradConfig);
    tf.registerGradient(original);
    got.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - want[i]![j]!)).toBeLessThanOrEqual(1e-7)));
  });
});
