import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createOptimizer } from '../optimizer.ts';
import type { OptimizerName } from '@shardgrad/models';

/** Same gradients through tf.train.* and through ours: the parameters must agree after many steps. */
function compare(name: OptimizerName, tfOpt: tf.Optimizer, lr: number) {
  tf.setBackend('cpu');
  const shapes = [[7, 5], [5], [3]];
  let seed = 1;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const init = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, rnd));
  const vars = init.map((a, i) => tf.variable(tf.tensor(a, shapes[i]), true, `${name}_v${i}`));
  const ours = createOptimizer({ name, learningRate: lr });
  const params = init.map((a) => a.slice());
  for (let step = 0; step < 25; step++) {
    const grads = init.map((a) => Float32Array.from({ length: a.length }, () => rnd() * (step % 3 === 0 ? 1e-3 : 1)));
    tfOpt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[i]!, v.shape) })));
    ours.apply(params, grads);
  }
  let worst = 0;
  vars.forEach((v, i) => {
    const a = v.dataSync();
    for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - params[i]![j]!));
  });
  const moved = Math.abs(params[0]![0]! - init[0]![0]!);
  vars.forEach((v) => v.dispose());
  return { worst, moved };
}

describe('array optimizers follow tfjs 4.22', () => {
  it.each([
    ['sgd', () => tf.train.sgd(0.05), 0.05],
    ['momentum', () => tf.train.momentum(0.05, 0.9), 0.05],
    ['rmsprop', () => tf.train.rmsprop(0.01), 0.01],
    ['adam', () => tf.train.adam(0.01), 0.01],
  ] as const)('%s matches tf.train within 1e-5 after 25 steps', (name, make, lr) => {
    const { worst, moved } = compare(name, make(), lr);
    expect(moved).toBeGreaterThan(1e-3);
    expect(worst).toBeLessThan(1e-5);
  });

  it('saves and restores its state exactly, and refuses mismatched state or bad rates', () => {
    const a = createOptimizer({ name: 'adam', learningRate: 0.01 });
    const p = [new Float32Array([1, 2, 3])];
    a.apply(p, [new Float32Array([0.1, -0.2, 0.3])]);
    const b = createOptimizer({ name: 'adam', learningRate: 0.5 });
    b.setState(a.getState());
    const p2 = [p[0]!.slice()];
    a.apply(p, [new Float32Array([0.3, 0.2, 0.1])]);
    b.apply(p2, [new Float32Array([0.3, 0.2, 0.1])]);
    expect(Array.from(p2[0]!)).toEqual(Array.from(p[0]!));
    expect(() => createOptimizer({ name: 'sgd', learningRate: 1 }).setState(a.getState())).toThrow(/adam/);
    expect(() => createOptimizer({ name: 'adam', learningRate: -1 })).toThrow(/positive/);
    expect(() => a.apply(p, [])).toThrow(/expected 1 gradients/);
  });
});
