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

/** Share of (sample, label) pairs whose sigmoid output lands on the right side of 0.5. */
export function binaryAccuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.reshape(yTrue, yPred.shape);
    return tf.mean(tf.cast(tf.equal(tf.greaterEqual(yPred, 0.5), tf.greaterEqual(t, 0.5)), 'float32')) as tf.Scalar;
  });
}

/** Mean absolute error over every output. */
export function meanAbsoluteError(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.reshape(yTrue, yPred.shape), yPred))) as tf.Scalar);
}
