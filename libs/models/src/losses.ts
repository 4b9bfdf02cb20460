import * as tf from '@tensorflow/tfjs';

/** Keras' clip for probabilities, so log(0) never appears. */
const EPSILON = 1e-7;

/**
 * Sparse categorical cross-entropy on softmax probabilities; labels are class indices (float or int).
 * −mean(Σ onehot · log(clip(p))) with a gradient of its own: the tape's gradient of that formula ran
 * ~30 small kernels (tiles, selects, the clip's comparisons and their gradients), and at the MLP's
 * shard sizes a step pays per kernel, not per value. The gradient, onehot · −1/(N·clip(p)) where the
 * clip left p as it was, is the tape's to the bit (losses.spec.ts), NaNs and labels outside the
 * classes included.
 */
export function sparseCategoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = yPred.shape[yPred.shape.length - 1]!;
    const labels = tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32'), classes);
    // customGrad types its arguments as one list: the input tensors, then the save function.
    const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const probabilities = args[0] as tf.Tensor;
      const save = args[1] as tf.GradSaveFunc;
      const p = tf.reshape(probabilities, [-1, classes]);
      const clipped = tf.clipByValue(p, EPSILON, 1 - EPSILON);
      // Saved, not captured: the one-hot is disposed with this call's tidy, before backprop runs.
      save([p, clipped, labels]);
      return {
        value: tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(clipped)), -1))),
        gradFunc: (dy: tf.Tensor, [raw, c, onehot]: tf.Tensor[]) => {
          // The clip passes a gradient only where it left p as it was.
          const passed = tf.cast(tf.equal(raw!, c!), 'float32');
          const rows = c!.shape[0]!;
          return tf.reshape(tf.mul(onehot!, tf.div(tf.mul(passed, tf.div(tf.neg(dy), rows)), c!)), probabilities.shape);
        },
      };
    });
    return loss(yPred) as tf.Scalar;
  });
}

/** Mean squared error over every output. */
export function meanSquaredError(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(tf.reshape(yTrue, yPred.shape), yPred)) as tf.Scalar);
}

/** Binary cross-entropy on sigmoid probabilities, averaged over samples and labels. */
export function binaryCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.reshape(yTrue, yPred.shape);
    const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
    const ll = tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
}
