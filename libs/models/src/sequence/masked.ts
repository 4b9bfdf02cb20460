import * as tf from '@tensorflow/tfjs';
import { declareMetricBounds } from '../metrics.ts';

/** Keras' clip for probabilities, so log(0) never appears. */
const EPSILON = 1e-7;

/** 1 where a position has a label (≥ 0), 0 where the dataset marked it unlabelled (negative). */
const maskOf = (t: tf.Tensor) => tf.cast(tf.greaterEqual(t, 0), 'float32');

/** Mean of `v` over labelled positions only. */
const maskedMean = (v: tf.Tensor, mask: tf.Tensor) => tf.div(tf.sum(tf.mul(v, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;

/** Binary cross-entropy on sigmoid outputs, averaged over the labelled positions. */
export function maskedBinaryCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.reshape(yTrue, yPred.shape);
    const mask = maskOf(t);
    const y = tf.mul(t, mask);
    const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
    const ll = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
    return tf.neg(maskedMean(ll, mask)) as tf.Scalar;
  });
}

/** Share of labelled positions whose sigmoid output lands on the right side of 0.5. */
export function maskedBinaryAccuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.reshape(yTrue, yPred.shape);
    const right = tf.cast(tf.equal(tf.greaterEqual(yPred, 0.5), tf.greaterEqual(t, 0.5)), 'float32');
    return maskedMean(right, maskOf(t));
  });
}

declareMetricBounds(maskedBinaryAccuracy, 0, 1);
