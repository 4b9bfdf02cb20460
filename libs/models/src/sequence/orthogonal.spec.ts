import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { orthogonalMatrix } from './orthogonal.ts';
import { buildBirnn } from './birnn.ts';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** birnn as it was built before: tfjs's orthogonal initializer on the recurrent kernels (which warns above 2,000 elements). */
function birnnWithTfjsOrthogonal(direction: string, u: number, seed: number): tf.LayersModel {
  const init = { kernelInitializer: tf.initializers.glorotUniform({ seed }), recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }) };
  const inputShape = [10, 4];
  const rnn =
    direction === 'bidirectional'
      ? tf.layers.bidirectional({ inputShape, mergeMode: 'concat', layer: tf.layers.lstm({ units: u, returnSequences: true, ...init }) as tf.RNN })
      : tf.layers.lstm({ inputShape, units: 2 * u, returnSequences: true, ...init });
  return tf.sequential({
    layers: [rnn, tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 7 }) }) }), tf.layers.flatten()],
  });
}

describe("birnn's orthogonal recurrent kernels", () => {
  it.each([[[32, 128]], [[128, 32]], [[16, 64]]])('are the values of tfjs orthogonal for %j', (shape) => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const ours = orthogonalMatrix(shape, 5);
    const theirs = tf.initializers.orthogonal({ seed: 5 }).apply(shape);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    tf.dispose([ours, theirs]);
  });

  it.each([
    ['forward', 16],
    ['bidirectional', 16],
    ['bidirectional', 32],
  ])('%s, %i units: the same initial weights as with tfjs orthogonal, and no console warning', (direction, units) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const model = buildBirnn({ inputShape: [10, 4], numClasses: 2, seed: 3, config: { direction, units } });
    expect(warn).not.toHaveBeenCalled();
    const before = birnnWithTfjsOrthogonal(direction, units, 3);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before.getWeights().map((w) => Array.from(w.dataSync())));
    model.dispose();
    before.dispose();
  });
});
