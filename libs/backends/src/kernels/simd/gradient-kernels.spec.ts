import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { seededTensor } from '../../testing.ts';
import { gradientKernelsFor } from './gradient-kernels.ts';
import { useSimdKernels } from './kernel-spec-support.ts';

// The kernel modules as a whole, on the wasm backend.
useSimdKernels();

describe('the module', () => {
  it('is bound to the backend whose memory it imports, and leaks no tensors', async () => {
    await tf.setBackend('wasm');
    expect(gradientKernelsFor(tf.backend() as BackendWasm)).not.toBeNull();
    const x = seededTensor([2, 8, 8, 4], 12) as tf.Tensor4D;
    const f = seededTensor([3, 3, 4, 16], 13) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same').add<tf.Tensor4D>(1), 2, 2, 'valid')))([x, f]).map((g) => g.dataSync()));
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f]);
  });
});
