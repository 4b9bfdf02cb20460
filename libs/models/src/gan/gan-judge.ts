import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '@shardgrad/data';
import { generateImages } from './gan-samples.ts';

/** The samples the quality check labels, from noise seeded apart from training and the grid. */
export const JUDGED_SAMPLES = 1000;
const JUDGE_SEED = 909_090;
/**
 * Six epochs over MNIST's 8,500 training digits: 97.5% on the test digits, with a mean top
 * confidence of 0.976 on them (3 epochs: 96.8% and 0.960, an undertrained classifier).
 */
export const JUDGE_EPOCHS = 6;
const JUDGE_BATCH = 64;

export interface JudgeVerdict {
  /** Mean over the samples of the classifier's top class probability. */
  meanTopConfidence: number;
  /** How many of the ten digits are some sample's top class. */
  digitsSeen: number;
  /** Samples per digit, as the classifier labels them. */
  perDigit: number[];
}

/**
 * The separately trained MNIST classifier of the quality check: a small CNN fitted in-process on
 * the real training digits, once per dataset (the report and the tests reuse it). It never sees a
 * generated image while training, so its confidence on samples says how digit-like they are.
 */
export interface Judge {
  model: tf.LayersModel;
  /** Accuracy on the real test digits. */
  testAccuracy: number;
  /** Mean top confidence on the real test digits: what samples as good as real digits would get. */
  realConfidence: number;
}

const judges = new WeakMap<Dataset, Map<number, Judge>>();

export function trainJudge(dataset: Dataset, epochs = JUDGE_EPOCHS): Judge {
  const cached = judges.get(dataset)?.get(epochs);
  if (cached) return cached;
  const seed = 7;
  const init = (i: number) => tf.initializers.heNormal({ seed: seed + i });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: dataset.inputShape, filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init(0) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
  // A plain synchronous loop (not fit, which is async) because a model's report is synchronous.
  // The split is already in a seeded random order, so no shuffling keeps the judge reproducible.
  const optimizer = tf.train.adam(0.002);
  const { train, test } = dataset;
  const size = dataset.inputShape.reduce((a, b) => a * b, 1);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let start = 0; start < train.n; start += JUDGE_BATCH) {
      const k = Math.min(JUDGE_BATCH, train.n - start);
      tf.tidy(() => {
        const x = tf.tensor(train.x.subarray(start * size, (start + k) * size), [k, ...dataset.inputShape]);
        const y = tf.oneHot(tf.tensor1d(train.y.subarray(start, start + k), 'int32'), 10);
        optimizer.minimize(() => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(model.apply(x) as tf.Tensor, 1e-7, 1))), 1))) as tf.Scalar);
      });
    }
  }
  optimizer.dispose();
  const probs = classify(model, test.x, test.n, dataset.inputShape);
  let right = 0;
  let confidence = 0;
  for (let i = 0; i < test.n; i++) {
    const k = argmax(probs, i);
    if (k === test.y[i]) right++;
    confidence += probs[i * 10 + k]!;
  }
  const judge = { model, testAccuracy: right / test.n, realConfidence: confidence / test.n };
  judges.set(dataset, (judges.get(dataset) ?? new Map()).set(epochs, judge));
  return judge;
}

function classify(model: tf.LayersModel, x: Float32Array, n: number, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, [n, ...shape]), { batchSize: 500 }) as tf.Tensor).dataSync() as Float32Array);
}

const argmax = (p: Float32Array, row: number): number => {
  let best = 0;
  for (let k = 1; k < 10; k++) if (p[row * 10 + k]! > p[row * 10 + best]!) best = k;
  return best;
};

/** Labels JUDGED_SAMPLES samples of the generator with the judge. */
export function judgeGenerator(judge: tf.LayersModel, generator: tf.LayersModel, shape: number[], n = JUDGED_SAMPLES): JudgeVerdict {
  const probs = classify(judge, generateImages(generator, JUDGE_SEED, n), n, shape);
  const perDigit = new Array<number>(10).fill(0);
  let confidence = 0;
  for (let i = 0; i < n; i++) {
    const k = argmax(probs, i);
    perDigit[k]!++;
    confidence += probs[i * 10 + k]!;
  }
  return { meanTopConfidence: confidence / n, digitsSeen: perDigit.filter((c) => c > 0).length, perDigit };
}
