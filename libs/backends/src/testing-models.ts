import * as tf from '@tensorflow/tfjs';

// Reference models for cross-backend checks and benches. Not the curriculum registry (that is
// @shardgrad/models); these only need to exercise the kernels each backend must have.

/** The seed MLP: 28×28 → Flatten → Dense 128 relu → Dense 10 softmax. */
export function seedMlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** conv 3×3·16 → maxpool → conv 3×3·32 → maxpool → flatten → dense 10: both conv filter grads. */
export function smallCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** The small CNN's conv layers at a batch size: input, upstream gradient and filter shapes. */
export function smallCnnConvShapes(batch: number): Array<{ name: string; x: number[]; dy: number[]; filter: [number, number, number, number] }> {
  return [
    { name: 'conv1 28×28×1→16', x: [batch, 28, 28, 1], dy: [batch, 26, 26, 16], filter: [3, 3, 1, 16] },
    { name: 'conv2 13×13×16→32', x: [batch, 13, 13, 16], dy: [batch, 11, 11, 32], filter: [3, 3, 16, 32] },
  ];
}

/** Embedding 60×12 over 10 tokens → LSTM 16 → dense 5: the gather gradient plus recurrent ops. */
export function embeddingLstm(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 60, outputDim: 12, inputLength: 10 }),
      tf.layers.lstm({ units: 16 }),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
}

/**
 * One step's gradients of softmax cross-entropy, in `model.trainableWeights` order: never key
 * them by variable name, which carries process-global counters.
 */
export function classifierGradients(model: tf.LayersModel, x: tf.Tensor, labels: number[], classes: number): tf.Tensor[] {
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(oneHot, model.apply(x) as tf.Tensor) as tf.Scalar,
    vars,
  );
  return vars.map((v) => grads[v.name]);
}
