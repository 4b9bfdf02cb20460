import * as tf from '@tensorflow/tfjs';
import { type Dataset, deriveSeed, normalSampler, seededRandom, takeRows } from '@shardgrad/data';
import type { CustomStep, CustomStepResult } from '../types.ts';
import type { Reads } from '../step-reads.ts';
import { discriminate, generate, generatorPositions, latentSize } from './gan-net.ts';

/** Noise of the held-out evaluation: seeded apart from any round's. */
const EVAL_SEED = 424_242;
/** Images per forward pass when evaluating, to bound memory. */
const CHUNK = 500;

/**
 * One latent vector per item, drawn from (seed, item id) only: an item gets the same noise on
 * whichever worker computes it, so the round's gradient does not depend on the split.
 */
export function noiseFor(seed: number, ids: ArrayLike<number>, latent: number): Float32Array {
  const z = new Float32Array(ids.length * latent);
  for (let i = 0; i < ids.length; i++) {
    const normal = normalSampler(seededRandom(deriveSeed(seed, ids[i]!)));
    for (let j = 0; j < latent; j++) z[i * latent + j] = normal();
  }
  return z;
}

/** Pixels in [0, 1] (the datasets') to the GAN's [−1, 1], and back. */
export const toGan = (x: tf.Tensor): tf.Tensor => tf.sub(tf.mul(x, 2), 1);
export const fromGan = (x: tf.Tensor): tf.Tensor => tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1);

/**
 * log(1 + eˡ), written with ops every backend has (wasm lacks Softplus' gradient path), and stable:
 * max(l, 0) + log(1 + e^−|l|). Binary cross-entropy with logits is softplus(−l) for "real" and
 * softplus(l) for "fake".
 */
const softplus = (l: tf.Tensor): tf.Tensor => tf.add(tf.relu(l), tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(l))))));

const fractionBelowZero = (v: ArrayLike<number>): number => {
  let k = 0;
  for (let i = 0; i < v.length; i++) if (v[i]! < 0) k++;
  return k / v.length;
};

/**
 * The paired D/G step of a shard: for its real images and its noise, on the same current weights,
 *   D's gradient of  mean[softplus(−D(x)) + softplus(D(G(z)))]   (real vs fake), and
 *   G's gradient of  mean[softplus(−D(G(z)))]                    (the non-saturating loss),
 * returned as one list in the model's weight order. Both are means over the shard's items, so the
 * coordinator's shard-weighted mean is the whole round's mean; its optimizer applies both at once.
 */
function* pairedStep(model: tf.LayersModel, dataset: Dataset, indices: ArrayLike<number>, seed: number): Reads<CustomStepResult> {
  const n = indices.length;
  const latent = latentSize(model);
  const z = noiseFor(seed, indices, latent);
  const rows = takeRows(dataset, dataset.train, indices);
  const isG = generatorPositions(model);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // Read after the tape: variableGrads disposes what its function made unless kept.
  const read: tf.Tensor[] = [];
  const grads = tf.tidy(() => {
    const zt = tf.tensor2d(z, [n, latent]);
    const real = toGan(tf.tensor(rows.x, [n, ...dataset.inputShape]));
    // D's pass treats the fakes as data: no backprop into G for this half.
    const fake = generate(model, zt);
    const d = tf.variableGrads(() => {
      const lr = discriminate(model, real);
      const lf = discriminate(model, fake);
      read.push(tf.keep(lr), tf.keep(lf));
      return tf.mean(tf.add(softplus(tf.neg(lr)), softplus(lf))) as tf.Scalar;
    }, vars.filter((_, i) => !isG[i]));
    const g = tf.variableGrads(() => tf.mean(softplus(tf.neg(discriminate(model, generate(model, zt))))) as tf.Scalar, vars.filter((_, i) => isG[i]));
    read.push(tf.keep(d.value), tf.keep(g.value));
    return vars.map((v, i) => (isG[i] ? g.grads : d.grads)[v.name]!);
  });
  try {
    const [lr, lf, dLoss, gLoss] = read;
    const realLogits = yield lr!;
    const fakeLogits = yield lf!;
    const metrics = { dLoss: (yield dLoss!)[0]!, gLoss: (yield gLoss!)[0]!, realAccuracy: 1 - fractionBelowZero(realLogits), fakeAccuracy: fractionBelowZero(fakeLogits) };
    return { grads, count: n, loss: metrics.dLoss, metrics };
  } catch (e) {
    tf.dispose(grads);
    throw e;
  } finally {
    tf.dispose(read);
  }
}

/**
 * The discriminator's loss and accuracies on held-out real images and as many fakes from fixed
 * noise: a broken GAN shows a trivial D (all "real" or all "fake", or perfect on both).
 */
export function evaluateGan(model: tf.LayersModel, dataset: Dataset): { loss: number; metrics: Record<string, number> } {
  const { test } = dataset;
  const latent = latentSize(model);
  const sums = { dLoss: 0, gLoss: 0, realAccuracy: 0, fakeAccuracy: 0 };
  for (let start = 0; start < test.n; start += CHUNK) {
    const ids = Array.from({ length: Math.min(CHUNK, test.n - start) }, (_, i) => start + i);
    const k = ids.length;
    tf.tidy(() => {
      const real = toGan(tf.tensor(takeRows(dataset, test, ids).x, [k, ...dataset.inputShape]));
      const lr = discriminate(model, real);
      const lf = discriminate(model, generate(model, tf.tensor2d(noiseFor(EVAL_SEED, ids, latent), [k, latent])));
      sums.dLoss += tf.sum(tf.add(softplus(tf.neg(lr)), softplus(lf))).dataSync()[0]!;
      sums.gLoss += tf.sum(softplus(tf.neg(lf))).dataSync()[0]!;
      sums.realAccuracy += (1 - fractionBelowZero(lr.dataSync())) * k;
      sums.fakeAccuracy += fractionBelowZero(lf.dataSync()) * k;
    });
  }
  const m = Object.fromEntries(Object.entries(sums).map(([key, v]) => [key, v / Math.max(1, test.n)]));
  return { loss: m.dLoss!, metrics: m };
}

export const ganStep: CustomStep = {
  countIsIndices: true,
  compute: ({ model, dataset, indices, seed }) => pairedStep(model, dataset, indices, seed),
  evaluate: ({ model, dataset }) => evaluateGan(model, dataset),
};
