import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '@shardgrad/data';

export interface SampleOptions {
  prime: string;
  length: number;
  /** Divides the logits: below 1 sharpens the distribution, above 1 flattens it. */
  temperature: number;
  seed: number;
}

/** Index drawn from softmax(log p / temperature). */
export function drawAtTemperature(probs: ArrayLike<number>, temperature: number, u: number): number {
  const w = Array.from(probs, (p) => Math.exp(Math.log(Math.max(p, 1e-12)) / temperature));
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < w.length; i++) {
    acc += w[i]! / total;
    if (u < acc) return i;
  }
  return w.length - 1;
}

/**
 * Text from a next-character model whose input is a fixed window of ids: the window slides over
 * the text so far (left-padded with the prime's first character) and the last position's
 * distribution gives the next character. Unknown prime characters map to the last id (rare).
 */
export function sampleText(model: tf.LayersModel, vocabulary: string[], o: SampleOptions): string {
  const window = model.inputs[0]!.shape[1]!;
  const idOf = new Map(vocabulary.map((c, i) => [c, i]));
  const ids = Array.from(o.prime.length > 0 ? o.prime : ' ', (c) => idOf.get(c) ?? vocabulary.length - 1);
  const rng = seededRandom(o.seed);
  let out = '';
  for (let n = 0; n < o.length; n++) {
    const ctx = ids.slice(-window);
    while (ctx.length < window) ctx.unshift(ctx[0]!);
    const probs = tf.tidy(() => (model.predict(tf.tensor2d([ctx], [1, window])) as tf.Tensor).slice([0, window - 1, 0], [1, 1, -1]).dataSync());
    const next = drawAtTemperature(probs, o.temperature, rng());
    ids.push(next);
    out += vocabulary[next];
  }
  return o.prime + out;
}
