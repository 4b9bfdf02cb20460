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

/**
 * The values a metric can take, for the coordinator to refuse a result that reports another: an
 * accuracy of 62,018 came back from GPU workers whose device had run out of memory, with no error.
 * Metrics missing here are not checked.
 */
const METRIC_BOUNDS = new Map<unknown, readonly [number, number]>();

export function declareMetricBounds(metric: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar, lo: number, hi: number): void {
  METRIC_BOUNDS.set(metric, [lo, hi]);
}

export function metricBounds(metric: unknown): readonly [number, number] | undefined {
  return METRIC_BOUNDS.get(metric);
}

declareMetricBounds(sparseAccuracy, 0, 1);
declareMetricBounds(binaryAccuracy, 0, 1);
declareMetricBounds(meanAbsoluteError, 0, Infinity);
