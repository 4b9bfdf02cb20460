import * as tf from '@tensorflow/tfjs';
import { isReconstructionDataset } from '@shardgrad/data';
import { meanSquaredError } from './losses.ts';
import { meanAbsoluteError } from './metrics.ts';
import { hiddenUnits, intInRange } from './option-values.ts';
import { latentScatterImage, reconstructionGridImage } from './autoencoder-images.ts';
import { predictSplit } from './predict-split.ts';
import { projectorMetadataTsv, projectorVectorsTsv } from './projector-tsv.ts';
import type { Artifact, BuildContext, ModelContext, ModelDefinition } from './types.ts';

const DEFAULT_LATENT = 32;
/** 128 hidden units reach the 0.02 target in a few epochs at half the cost of 256 on 2-core workers. */
const DEFAULT_HIDDEN = 128;
/** The code layer's name, so the encoder half can be cut out of the trained model. */
export const LATENT_LAYER = 'latent';

/**
 * 784 → hidden relu → latent (linear) → hidden relu → 784 sigmoid: pixels back in [0, 1]. `hidden`
 * may list several sizes ("256,128"): the encoder's layers in that order, the decoder's mirrored.
 */
export function buildAutoencoder({ inputShape, seed, config }: BuildContext): tf.LayersModel {
  const latent = intInRange(config, 'latent', 1, 512, DEFAULT_LATENT);
  const hidden = hiddenUnits(config, 'hidden', [DEFAULT_HIDDEN]);
  const pixels = inputShape.reduce((a, b) => a * b, 1);
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed + i });
  // One hidden layer keeps the seeds it always had (0 encoder, 1 code, 2 decoder, 3 output); further layers get their own.
  const encoder = hidden.map((units, i) => tf.layers.dense({ units, activation: 'relu', kernelInitializer: init(i === 0 ? 0 : 10 + i) }));
  const decoder = [...hidden].reverse().map((units, i) => tf.layers.dense({ units, activation: 'relu', kernelInitializer: init(i === 0 ? 2 : 20 + i) }));
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape }),
      ...encoder,
      tf.layers.dense({ units: latent, kernelInitializer: init(1), name: LATENT_LAYER }),
      ...decoder,
      tf.layers.dense({ units: pixels, activation: 'sigmoid', kernelInitializer: init(3) }),
    ],
  });
}

/** The latent code of every test image, n x latent row-major. */
export function encodeTest({ model, dataset }: ModelContext): { codes: Float32Array; dims: number } {
  const encoder = tf.model({ inputs: model.inputs, outputs: model.getLayer(LATENT_LAYER).output as tf.SymbolicTensor });
  const dims = (model.getLayer(LATENT_LAYER).outputShape as number[])[1]!;
  const xs = dataset.inputShape.reduce((a, b) => a * b, 1);
  const codes = new Float32Array(dataset.test.n * dims);
  for (let start = 0; start < dataset.test.n; start += 500) {
    const n = Math.min(500, dataset.test.n - start);
    tf.tidy(() => {
      const out = encoder.predict(tf.tensor(dataset.test.x.subarray(start * xs, (start + n) * xs), [n, ...dataset.inputShape])) as tf.Tensor;
      codes.set(out.dataSync(), start * dims);
    });
  }
  return { codes, dims };
}

function autoencoderArtifacts(ctx: ModelContext): Artifact[] {
  if (!isReconstructionDataset(ctx.dataset)) throw new Error(`autoencoder artifacts need a reconstruction dataset, got ${ctx.dataset.name}`);
  const { codes, dims } = encodeTest(ctx);
  const digits = ctx.dataset.testDigits;
  const files: Artifact[] = [
    { file: 'reconstructions.png', description: 'test digits (odd rows) above their reconstructions (even rows)', kind: 'image', image: reconstructionGridImage(ctx) },
    { file: 'projector/vectors.tsv', description: `${dims}-d codes of the test digits; load in projector.tensorflow.org with metadata.tsv`, kind: 'text', text: projectorVectorsTsv(codes, dims) },
    { file: 'projector/metadata.tsv', description: 'the digit of each row of vectors.tsv', kind: 'text', text: projectorMetadataTsv(Array.from(digits, String)) },
  ];
  if (dims === 2) files.push({ file: 'latent-2d.png', description: 'the 2-d codes of the test digits, one colour per digit, each colour keyed below by a test digit of it', kind: 'image', image: latentScatterImage(codes, digits, { x: ctx.dataset.test.x, h: ctx.dataset.inputShape[0]!, w: ctx.dataset.inputShape[1]! }) });
  return files;
}

/** Reconstruction error per pixel (pixels in [0, 1]) over the whole test split. */
function autoencoderReport(ctx: ModelContext): Record<string, number | string> {
  const { test } = ctx.dataset;
  const recon = predictSplit(ctx.model, ctx.dataset.inputShape, test);
  let se = 0;
  for (let i = 0; i < recon.length; i++) se += (recon[i]! - test.y[i]!) ** 2;
  return { msePerPixel: se / recon.length, latentDims: encodeTest(ctx).dims };
}

export const autoencoder: ModelDefinition = {
  name: 'autoencoder',
  summary: 'Dense 128 relu → Dense 32 (code) → Dense 128 relu → Dense 784 sigmoid, MSE against the input',
  teaches: 'unsupervised learning: an autoencoder compresses digits into a small code and reconstructs them',
  defaultDataset: 'mnist-reconstruction',
  datasets: ['mnist-reconstruction'],
  build: buildAutoencoder,
  loss: meanSquaredError,
  metrics: { mae: meanAbsoluteError },
  optimizer: { name: 'adam', learningRate: 0.005 },
  defaults: { batch: 128, epochs: 8 },
  options: {
    latent: `size of the code (default ${DEFAULT_LATENT}; 2 gives a plottable map)`,
    hidden: `units of the encoder's hidden layer, or a list of layers like "256,128" (the decoder mirrors them; default ${DEFAULT_HIDDEN})`,
  },
  report: autoencoderReport,
  artifacts: autoencoderArtifacts,
};
