import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { computeOn, worstRelativeError } from '@shardgrad/backends/testing';
import { seedDropout } from './dropout-seed.ts';

/** Dense → Dropout(0.5) → Dense, with its own seeded weights, and one step's gradients. */
function gradients(seed: number | undefined): tf.Tensor[] {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
  seedDropout(model, seed);
  const x = tf.tensor2d(Array.from({ length: 48 }, (_, i) => Math.sin(i)), [8, 6]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => (model.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar, vars);
  const out = vars.map((v) => grads[v.name]!);
  x.dispose();
  model.dispose();
  return out;
}

describe('seedDropout', () => {
  it('makes a dropout model give the same gradients on cpu and wasm', async () => {
    const cpu = await computeOn('cpu', () => gradients(1));
    const wasm = await computeOn('wasm', () => gradients(1));
    expect(worstRelativeError(wasm, cpu)).toBeLessThan(1e-5);
  });

  it('and unseeded (undefined) gives random masks again', async () => {
    const a = await computeOn('cpu', () => gradients(undefined));
    const b = await computeOn('cpu', () => gradients(undefined));
    expect(worstRelativeError(a, b)).toBeGreaterThan(1e-3);
  });
});
