import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { sparseCategoricalCrossentropy } from './losses.ts';

/** The loss as written before it had a gradient of its own: the tape differentiates every op. */
function tapeCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  const classes = yPred.shape[yPred.shape.length - 1]!;
  const labels = tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32'), classes);
  const p = tf.clipByValue(tf.reshape(yPred, [-1, classes]), 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(p)), -1))) as tf.Scalar;
}

/**
 * Softmax rows with some probabilities the clip holds: a true class at exactly 1, one at 0, one
 * just under 1e-7, so the clip's gradient is exercised on both ends; and a label past the last
 * class, whose one-hot row is all zeros.
 */
function probabilities(rows: number, classes: number): { p: tf.Tensor; labels: tf.Tensor } {
  const logits = tf.mul(tf.randomNormal([rows, classes], 0, 3, 'float32', 7), 1);
  const soft = tf.softmax(logits).arraySync() as number[][];
  const labels = soft.map((_, i) => (i === 3 ? classes : (i * 7) % classes));
  soft[0] = soft[0]!.map((_, j) => (j === labels[0] ? 1 : 0));
  soft[1] = soft[1]!.map((_, j) => (j === labels[1] ? 0 : 1 / (classes - 1)));
  soft[2] = soft[2]!.map((_, j) => (j === labels[2] ? 5e-8 : (1 - 5e-8) / (classes - 1)));
  return { p: tf.tensor2d(soft), labels: tf.tensor1d(labels) };
}

async function lossAndGradient(backend: string, loss: typeof tapeCrossentropy, shape: 'flat' | 'sequence'): Promise<{ value: number; grad: number[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const { p, labels } = probabilities(24, 10);
    // Sequence models hand the loss [batch, steps, classes] with [batch, steps] labels.
    const pred = shape === 'flat' ? p : tf.reshape(p, [4, 6, 10]);
    const yTrue = shape === 'flat' ? labels : tf.reshape(labels, [4, 6]);
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => loss(yTrue, x))([pred]);
    expect(grads[0]!.shape).toEqual(pred.shape);
    // + 0 makes −0 and +0 one zero: the two write the clipped rows' zeros with different signs.
    return { value: value.dataSync()[0]!, grad: Array.from(grads[0]!.dataSync(), (g) => g + 0) };
  });
}

describe('sparse categorical cross-entropy with its own gradient', () => {
  it.each(['cpu', 'wasm'])('gives the value and gradient of the tape-differentiated formula on %s, clipped ends included', async (backend) => {
    for (const shape of ['flat', 'sequence'] as const) {
      const want = await lossAndGradient(backend, tapeCrossentropy, shape);
      const got = await lossAndGradient(backend, sparseCategoricalCrossentropy, shape);
      expect(got.value).toBe(want.value);
      expect(got.grad).toEqual(want.grad);
      // The clipped rows and the row without a class get no gradient; the rest only on their true class.
      expect(got.grad.slice(0, 40).every((g) => g === 0)).toBe(true);
      expect(got.grad.filter((g) => g !== 0).length).toBe(24 - 4);
    }
  });

  it('leaves no tensor behind, with or without a tape', async () => {
    await tf.setBackend('cpu');
    const { p, labels } = probabilities(8, 10);
    const forward = () => tf.dispose(tf.tidy(() => sparseCategoricalCrossentropy(labels, p)));
    const backward = () => tf.dispose(tf.tidy(() => tf.grad((x: tf.Tensor) => sparseCategoricalCrossentropy(labels, x))(p)));
    // Once first: tfjs keeps a few constants of its own on first use.
    forward();
    backward();
    const before = tf.memory().numTensors;
    forward();
    backward();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p, labels]);
  });

  it('passes a NaN on to the loss and the gradient, where the result check refuses it', async () => {
    await tf.setBackend('cpu');
    tf.tidy(() => {
      const p = tf.tensor2d([[NaN, 0.5, 0.5], [0.2, 0.3, 0.5]]);
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => sparseCategoricalCrossentropy(tf.tensor1d([0, 2]), x))([p]);
      expect(Number.isNaN(value.dataSync()[0])).toBe(true);
      expect(Array.from(grads[0]!.dataSync()).some((g) => Number.isNaN(g))).toBe(true);
    });
  });
});
