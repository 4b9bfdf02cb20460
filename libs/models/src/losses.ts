import * as tf from '@tensorflow/tfjs';

/** Keras' clip for probabilities, so log(0) never appears. */
const EPSILON = 1e-7;

/** Sparse categorical cross-entropy on softmax probabilities; labels are class indices (float or int). */
export function sparseCategoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = yPred.shape[yPred.shape.length - 1]!;
    const labels = tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32'), classes);
    const p = tf.clipByValue(tf.reshape(yPred, [-1, classes]), EPSILON, 1 - EPSILON);
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(p)), -1))) as tf.Scalar;
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
