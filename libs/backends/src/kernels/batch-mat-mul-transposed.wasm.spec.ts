import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { installWasmFastPaths } from './register.ts';
import { computeOn, seededTensor, worstRelativeError } from '../testing.ts';

// Same spec on wasm (with our fast path) and on cpu: transposed products must agree, whichever
// operand the rewrite packs (the cases cover the larger operand on each side).
describe('BatchMatMul with transposeA or transposeB on wasm', () => {
  beforeAll(() => {
    expect(installWasmFastPaths()).toContain(`${tf.BatchMatMul} with transposeA or transposeB`);
    expect(installWasmFastPaths()).not.toContain(`${tf.BatchMatMul} with transposeA or transposeB`);
  });

  const cases: [string, number[], number[], boolean, boolean][] = [
    ['dense weight gradient xᵀ·dy', [64, 784], [64, 128], true, false],
    ['transposeA with the larger right operand', [8, 5], [8, 40], true, false],
    ['dense input gradient dy·Wᵀ', [64, 128], [784, 128], false, true],
    ['transposeB with the larger left operand', [50, 6], [4, 6], false, true],
    ['both transposed', [10, 7], [5, 10], true, true],
    ['both transposed, larger left', [30, 7], [5, 30], true, true],
    ['batched 3-D', [3, 6, 4], [3, 6, 5], true, false],
    ['batched 3-D transposeB', [3, 4, 6], [3, 9, 6], false, true],
    ['broadcast batch', [1, 6, 4], [3, 6, 5], true, false],
    ['broadcast batch transposeB', [3, 4, 6], [1, 9, 6], false, true],
    ['no transpose (original path)', [8, 6], [6, 3], false, false],
  ];
  for (const [name, as, bs, ta, tb] of cases) {
    it(`${name} matches cpu`, async () => {
      const run = () => [tf.matMul(seededTensor(as, 1), seededTensor(bs, 2), ta, tb)];
      const want = await computeOn('cpu', run);
      const got = await computeOn('wasm', run);
      expect(got[0]!.length).toBe(want[0]!.length);
      expect(worstRelativeError(got, want)).toBeLessThan(1e-5);
    });
  }

  it('gives the same gradient of a dense layer as cpu, and leaks nothing', async () => {
    const grad = () => {
      const x = seededTensor([16, 20], 3);
      const w = seededTensor([20, 8], 4);
      return [tf.grad((wv: tf.Tensor) => tf.sum(tf.relu(tf.matMul(x, wv))))(w)];
    };
    const want = await computeOn('cpu', grad);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = await computeOn('wasm', grad);
    expect(tf.memory().numTensors).toBe(before);
    expect(worstRelativeError(got, want)).toBeLessThan(1e-5);
  });
});
