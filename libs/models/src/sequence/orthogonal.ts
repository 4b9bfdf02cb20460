import * as tf from '@tensorflow/tfjs';

/**
 * The matrix of tfjs's orthogonal initializer for `shape` and `seed`, value for value (the same
 * seeded normal matrix, the same QR, the same sign fix), without the console warning tfjs prints for
 * every matrix of more than 2,000 elements. The QR of birnn's largest default matrix (32 × 128) takes
 * milliseconds; the warning only broke the progress lines, once per process that built the model.
 */
export function orthogonalMatrix(shape: readonly number[], seed: number | undefined, gain = 1): tf.Tensor {
  if (shape.length < 2) throw new Error(`an orthogonal matrix needs a shape of at least 2 dimensions, got [${shape.join(', ')}]`);
  return tf.tidy(() => {
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = shape[shape.length - 1]!;
    const k = Math.min(rows, cols);
    const [q, r] = tf.linalg.qr(tf.randomNormal([Math.max(rows, cols), k], 0, 1, 'float32', seed), false) as [tf.Tensor2D, tf.Tensor2D];
    // Q uniform over the orthogonal matrices: each column times the sign of R's diagonal entry.
    const diagonal = r.flatten().stridedSlice([0], [k * k], [k + 1]);
    let m: tf.Tensor = tf.mul(q, tf.sign(diagonal));
    if (rows < cols) m = m.transpose();
    return tf.mul(tf.scalar(gain), m.reshape([...shape]));
  });
}

/**
 * Gives every recurrent kernel of `model` the matrix `recurrentInitializer: orthogonal({ seed })`
 * would have given it. The recurrent layers are built with zeros there (nothing to compute, nothing
 * printed), so the model starts from the same weights as with tfjs's initializer.
 */
export function writeOrthogonalRecurrentKernels(model: tf.LayersModel, seed: number): void {
  for (const w of model.weights) {
    if (!/(^|\/)recurrent_kernel(_\d+)?$/.test(w.originalName)) continue;
    const m = orthogonalMatrix(w.shape as number[], seed);
    w.write(m);
    m.dispose();
  }
}
