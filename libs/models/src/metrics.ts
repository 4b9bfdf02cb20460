import * as tf from '@tensorflow/tfjs';

/** Fraction of samples whose arg-max class equals the label index. */
export function sparseAccuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = yPred.shape[yPred.shape.length - 1]!;
    const predicted = tf.argMax(tf.reshape(yPred, [-1, classes]), -1);
    const labels = tf.cast(tf.reshape(yTrue, [-1]), 'int32');
    return tf.mean(tf.cast(tf.equal(predicted, labels), 'float32')) as tf.Scalar;
  });
}
