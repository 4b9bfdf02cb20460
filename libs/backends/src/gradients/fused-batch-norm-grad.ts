import * as tf from '@tensorflow/tfjs';

/**
 * The gradient of FusedBatchNorm (batch norm in training mode) without tfjs-core's `tile`.
 * tfjs 4.22 tiles 1/sqrt(var + eps) to the whole [n, h, w, c] input before multiplying, which on
 * the wasm backend (a generic Tile kernel) was a third of a small conv net's step. Broadcasting
 * the [c] vector does the same arithmetic without the copy: same values, bit for bit.
 */
export const broadcastBatchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const g = dy as tf.Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const scaleValue = scale ?? tf.scalar(1);
    // Per-channel statistics reduce over every axis but the last; full-shape ones reduce over none.
    const axes = mean.rank === 1 ? Array.from({ length: x.rank - 1 }, (_, i) => i) : [];
    const reduce = (t: tf.Tensor) => tf.reshape(axes.length ? tf.sum(t, axes) : t, mean.shape);
    const xMinusMean = tf.sub(x, mean);
    const dyTimesScale = tf.mul(g, scaleValue);
    const rsqrt = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const minusHalfRCube = tf.mul(tf.mul(tf.mul(rsqrt, rsqrt), rsqrt), tf.scalar(-0.5));
    return {
      x: () => tf.reshape(tf.mul(dyTimesScale, rsqrt), x.shape),
      mean: () => reduce(tf.mul(tf.mul(rsqrt, tf.scalar(-1)), dyTimesScale)),
      variance: () => reduce(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScale)),
      scale: () => reduce(tf.mul(g, tf.mul(xMinusMean, rsqrt))),
      offset: () => reduce(g),
    };
  },
};

/** Replaces tfjs-core's FusedBatchNorm gradient (process-wide, every backend). Idempotent. */
export function registerBroadcastBatchNormGradient(): void {
  tf.registerGradient(broadcastBatchNormGradConfig);
}
