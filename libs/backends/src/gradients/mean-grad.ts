import * as tf from '@tensorflow/tfjs';

/**
 * Mean's gradient without tfjs-core's `ones(x.shape)`: tfjs 4.22 builds a typed array of ones the
 * size of the input in JavaScript, uploads it and multiplies, on every step. Batch norm takes two
 * means over [N, H, W] of each conv activation, so the curriculum CNN made four 3 MB arrays per
 * step (4% of a worker's time in `makeOnesTypedArray`, and much of its 10% in garbage collection).
 * Broadcasting dy / n to the input's shape gives the same values (dy · 1 / n = dy / n exactly).
 */
export const broadcastMeanGradConfig: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const { axis } = attrs as unknown as tf.MeanAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const [, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const reduceSize = tf.util.sizeFromShape(reduceShape);
    return {
      x: () => {
        const expandedShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const scaled = tf.div(tf.reshape(dy as tf.Tensor, expandedShape), reduceSize);
        return tf.broadcastTo(scaled, x.shape);
      },
    };
  },
};

/** Replaces tfjs-core's Mean gradient (process-wide, every backend). Idempotent. */
export function registerBroadcastMeanGradient(): void {
  tf.registerGradient(broadcastMeanGradConfig);
}
