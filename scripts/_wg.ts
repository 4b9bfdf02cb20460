import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '@shardgrad/backends/node';
import { gradientKernelCalls } from '../libs/backends/src/kernels/simd/gradient-kernels.ts';
import { seededTensor, worstRelativeError, rankedGrads, computeOn } from '../libs/backends/src/testing.ts';
await initNodeBackend('wasm');
const cases: Array<[number[], number[], 'valid' | 'same' | number]> = [
  [[4, 13, 13, 16], [3, 3, 16, 32], 'valid'], [[3, 14, 14, 16], [3, 3, 16, 32], 'same'], [[2, 9, 12, 8], [3, 3, 8, 16], 'valid'],
  [[2, 7, 6, 12], [3, 3, 12, 8], 'same'], [[1, 5, 5, 32], [3, 3, 32, 16], 1], [[2, 8, 9, 16], [3, 3, 16, 24], 2],
];
for (const [xs, fs, pad] of cases) {
  const fn = () => rankedGrads((x: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(x, f, 1, pad).square().sum())([seededTensor(xs, 1) as tf.Tensor4D, seededTensor(fs, 2) as tf.Tensor4D]);
  const fwd = () => [tf.relu(tf.conv2d(seededTensor(xs, 1) as tf.Tensor4D, seededTensor(fs, 2) as tf.Tensor4D, 1, pad).add(seededTensor([fs[3]!], 3)))];
  const want = await computeOn('cpu', fn); const b = gradientKernelCalls().conv2d_winograd_3x3;
  const got = await computeOn('wasm', fn);
  const wf = await computeOn('cpu', fwd); const gf = await computeOn('wasm', fwd);
  console.log(xs, fs, pad, 'grads', worstRelativeError(got, want).toExponential(2), 'fwd', worstRelativeError(gf, wf).toExponential(2), 'calls', gradientKernelCalls().conv2d_winograd_3x3 - b);
}
