import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { seedDropout } from './dropout-seed.ts';
import { dropoutLayers, sampleMasks, withSampleMasks } from './sample-dropout.ts';
import { deriveSeed, seededRandom } from '@shardgrad/data';

const RATE = 0.25;
const UNITS = 400;

/** Ones through Dropout(RATE) (and a nested model's second Dropout), training or not. */
function model(): tf.LayersModel {
  const inner = tf.sequential({ layers: [tf.layers.dropout({ inputShape: [UNITS], rate: RATE })] });
  return tf.sequential({ layers: [tf.layers.dropout({ inputShape: [UNITS], rate: RATE }), inner] });
}

function masks(m: tf.LayersModel, seed: number | undefined, rows: number[], training = true): Float32Array[] {
  const run = () => tf.tidy(() => (m.apply(tf.ones([rows.length, UNITS]), { training }) as tf.Tensor).dataSync() as Float32Array);
  const flat = withSampleMasks(m, seed, rows, run);
  return rows.map((_, r) => flat.slice(r * UNITS, (r + 1) * UNITS));
}

describe('per-sample dropout masks', () => {
  it("give a sample the same mask wherever it sits in a pass, and other samples and seeds other masks", () => {
    const m = model();
    const [a5, a9] = masks(m, 11, [5, 9]);
    const [b9, b2, b5] = masks(m, 11, [9, 2, 5]);
    expect(b9).toEqual(a9);
    expect(b5).toEqual(a5);
    expect(b2).not.toEqual(a5);
    expect(masks(m, 12, [5])[0]).not.toEqual(a5);
    m.dispose();
  });

  it('drop about `rate` of the units (twice over two layers) and scale the rest as tfjs does', () => {
    const m = model();
    expect(dropoutLayers(m)).toHaveLength(2);
    const all = masks(m, 3, Array.from({ length: 50 }, (_, i) => i)).flatMap((r) => Array.from(r));
    const kept = all.filter((v) => v !== 0);
    // Both layers keep a unit with probability 0.75: 0.5625 of 20,000 units (sd ~0.0035).
    expect(kept.length / all.length).toBeGreaterThan(0.54);
    expect(kept.length / all.length).toBeLessThan(0.585);
    for (const v of kept) expect(v).toBeCloseTo(1 / (1 - RATE) ** 2, 5);
    m.dispose();
  });

  it('leave inference, unseeded tasks and calibration (seedDropout) to tfjs', () => {
    const m = model();
    expect(masks(m, 3, [1, 2], false).every((r) => r.every((v) => v === 1))).toBe(true);
    // Unseeded: tfjs's random masks, so the same sample's rows differ between calls.
    expect(masks(m, undefined, [1])[0]).not.toEqual(masks(m, undefined, [1])[0]);
    // A layer seeded for calibration keeps tfjs's seeded mask, the one every backend draws.
    seedDropout(m, 99);
    const calibration = masks(m, 3, [1])[0];
    seedDropout(m, undefined);
    expect(calibration).not.toEqual(masks(m, 3, [1])[0]);
    m.dispose();
  });
});

describe('sampleMasks', () => {
  it("is each row's seededRandom stream, kept where a draw is at least the rate", () => {
    const rows = [0, 7, 8_499, 2 ** 40];
    for (const rate of [0.1, 0.5, 0.25, 1 / 3, 0.999]) {
      const perRow = 97;
      const mask = sampleMasks({ seed: 12_345, rows }, rate, perRow);
      const expected = new Float32Array(rows.length * perRow);
      rows.forEach((row, r) => {
        const random = seededRandom(deriveSeed(12_345, row));
        for (let j = 0; j < perRow; j++) expected[r * perRow + j] = random() >= rate ? 1 / (1 - rate) : 0;
      });
      expect(mask).toEqual(expected);
    }
  });
});
