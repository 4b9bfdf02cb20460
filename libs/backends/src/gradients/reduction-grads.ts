import * as tf from '@tensorflow/tfjs';

/**
 * Mean's and Sum's gradients without tfjs-core's `ones(x.shape)`: tfjs 4.22 builds a typed array
 * of ones the size of the input in JavaScript, uploads it and multiplies, on every step. Batch norm
 * takes two means over [N, H, W] of each conv activation, so the curriculum CNN made four 3 MB
 * arrays per step at batch 64 on wasm (4% of a worker's time in `makeOnesTypedArray`, and much of
 * its 10% in garbage collection). On WebGPU at batch 1,024 it was 52% of the step's CPU time on an
 * H200 box (51 MB arrays, each then uploaded). Broadcasting dy (over n, for the mean) to the
 * input's shape gives the same values: dy · 1 = dy and dy · 1 / n = dy / n exactly.
 */
function broadcastReductionGrad(kernelName: string, divideByCount: boolean): tf.GradConfig {
  return {
    kernelName,
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
          const expanded = tf.reshape(dy as tf.Tensor, expandedShape);
          return tf.broadcastTo(divideByCount ? tf.div(expanded, reduceSize) : expanded, x.shape);
        },
      };
    },
  };
}

export const broadcastMeanGradConfig = broadcastReductionGrad(tf.Mean, true);
export const broadcastSumGradConfig = broadcastReductionGrad(tf.Sum, false);

/** Replaces tfjs-core's Mean and Sum gradients (process-wide, every backend). Idempotent. */
export function registerBroadcastReductionGradients(): void {
  tf.registerGradient(broadcastMeanGradConfig);
  tf.registerGradient(broadcastSumGradConfig);
}
