import * as tf from '@tensorflow/tfjs';
import { ModelConfigError } from '../model-options.ts';

/**
 * The DCGAN's two networks in one tfjs model, so the cluster ships, averages and checkpoints them as
 * one weight list at fixed positions. The model has two inputs and two outputs: noise → generated
 * image, and image → the discriminator's logit. The custom step runs the layers one by one (by
 * name) to chain them as D(G(z)); the two branches never meet inside the model itself.
 *
 * No batch norm: its statistics would depend on how a round's batch is split among workers, and the
 * cluster's update must not. Without it, this size trains stably with Adam (β₁ 0.5).
 */

/**
 * A sweep of 23 settings (single process, 2,000–5,000 steps; docs/models/gan.md) found the narrow
 * net with a high learning rate best within minutes of CPU: width 16 reached the quality target in
 * 3,000 steps, where widths 32 and 64 were still below it at more wall time; latent 16 was close.
 */
export const DEFAULT_LATENT = 32;
/** Channels of the generator's 7×7 map; the 14×14 map and the discriminator's layers derive from it. */
export const DEFAULT_WIDTH = 16;
const LEAK = 0.2;

/** Layer names, in the order each branch applies them. */
export const GENERATOR_LAYERS = ['g_dense', 'g_relu0', 'g_reshape', 'g_up1', 'g_relu1', 'g_up2'] as const;
export const DISCRIMINATOR_LAYERS = ['d_conv1', 'd_leak1', 'd_conv2', 'd_leak2', 'd_flatten', 'd_logit'] as const;

export interface GanShape {
  latent: number;
  width: number;
}

function intOption(config: Record<string, unknown>, key: string, lo: number, hi: number, fallback: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new ModelConfigError(`${key} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  return v;
}

export function ganShape(config: Record<string, unknown>): GanShape {
  return { latent: intOption(config, 'latent', 2, 512, DEFAULT_LATENT), width: intOption(config, 'width', 4, 512, DEFAULT_WIDTH) };
}

/**
 * G: z → dense 7·7·w → relu → 5×5 transposed conv (stride 2) to 14×14×w/2 → relu → 5×5 transposed conv
 * to 28×28×1 → tanh. D: 5×5 conv (stride 2) to 14×14×w/2 → leaky relu → 5×5 conv to 7×7×w → leaky
 * relu → dense → one logit. Images live in [−1, 1] inside the GAN (tanh's range).
 */
export function buildGanNet(inputShape: number[], seed: number, config: Record<string, unknown>): tf.LayersModel {
  const [h, w, c] = inputShape;
  if (inputShape.length !== 3 || h !== 28 || w !== 28 || c !== 1) throw new ModelConfigError(`gan needs 28×28×1 images, got [${inputShape.join(', ')}]`);
  const { latent, width } = ganShape(config);
  const half = Math.max(1, width / 2) | 0;
  // DCGAN's initialisation: N(0, 0.02) for every kernel.
  const init = (i: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: seed + i });
  const z = tf.input({ shape: [latent], name: 'noise' });
  const x = tf.input({ shape: inputShape, name: 'image' });
  const generator: tf.layers.Layer[] = [
    tf.layers.dense({ units: 7 * 7 * width, kernelInitializer: init(0), name: 'g_dense' }),
    tf.layers.reLU({ name: 'g_relu0' }),
    tf.layers.reshape({ targetShape: [7, 7, width], name: 'g_reshape' }),
    tf.layers.conv2dTranspose({ filters: half, kernelSize: 5, strides: 2, padding: 'same', kernelInitializer: init(1), name: 'g_up1' }),
    tf.layers.reLU({ name: 'g_relu1' }),
    tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: init(2), name: 'g_up2' }),
  ];
  const discriminator: tf.layers.Layer[] = [
    tf.layers.conv2d({ filters: half, kernelSize: 5, strides: 2, padding: 'same', kernelInitializer: init(3), name: 'd_conv1' }),
    tf.layers.leakyReLU({ alpha: LEAK, name: 'd_leak1' }),
    tf.layers.conv2d({ filters: width, kernelSize: 5, strides: 2, padding: 'same', kernelInitializer: init(4), name: 'd_conv2' }),
    tf.layers.leakyReLU({ alpha: LEAK, name: 'd_leak2' }),
    tf.layers.flatten({ name: 'd_flatten' }),
    tf.layers.dense({ units: 1, kernelInitializer: init(5), name: 'd_logit' }),
  ];
  const chain = (layers: tf.layers.Layer[], from: tf.SymbolicTensor) => layers.reduce((t, l) => l.apply(t) as tf.SymbolicTensor, from);
  return tf.model({ inputs: [z, x], outputs: [chain(generator, z), chain(discriminator, x)], name: 'dcgan' });
}

/** Runs a branch of the trained model on concrete tensors (inside a tidy or variableGrads). */
function runLayers(model: tf.LayersModel, names: readonly string[], input: tf.Tensor): tf.Tensor {
  return names.reduce((t, n) => model.getLayer(n).apply(t) as tf.Tensor, input);
}

/** G(z): images in [−1, 1], shape [n, 28, 28, 1]. */
export const generate = (model: tf.LayersModel, z: tf.Tensor): tf.Tensor => runLayers(model, GENERATOR_LAYERS, z);

/** D(x): one logit per image, shape [n, 1]; positive means "real". */
export const discriminate = (model: tf.LayersModel, x: tf.Tensor): tf.Tensor => runLayers(model, DISCRIMINATOR_LAYERS, x);

/** The latent size of a built model (read from it, so a loaded model needs no config). */
export const latentSize = (model: tf.LayersModel): number => model.inputs[0]!.shape[1] as number;

/** Positions of the generator's weights in model.trainableWeights; the rest are the discriminator's. */
export function generatorPositions(model: tf.LayersModel): boolean[] {
  const g = new Set(GENERATOR_LAYERS.flatMap((n) => model.getLayer(n).trainableWeights));
  return model.trainableWeights.map((w) => g.has(w));
}
