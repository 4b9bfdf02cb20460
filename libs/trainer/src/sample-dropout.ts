import * as tf from '@tensorflow/tfjs';
import { DROPOUT_MASK_KERNEL, type DropoutMaskAttrs, keepThreshold } from '@shardgrad/backends/kernels/dropout-mask-kernel';
import { deriveSeed, MULBERRY_STEP, mulberry32Bits } from '@shardgrad/data';

/**
 * Dropout masks drawn per sample from (task seed, sample index, layer), so that whoever computes a
 * shard drops the same units: a worker, its threads each on part of the shard, a micro-batch pass,
 * another worker given the shard again, and the coordinator recomputing it for a spot check. With
 * tfjs's own random masks every spot check of a model with dropout failed, and honest students were
 * dropped after a few rounds.
 */
interface MaskContext {
  seed: number;
  rows: ArrayLike<number>;
}

interface DropoutLike {
  rate: number;
  seed?: number;
  noiseShape?: unknown;
  call: (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
  [MASKS]?: MaskContext;
  [ORIGINAL_CALL]?: DropoutLike['call'];
}

const MASKS = Symbol('shardgrad.sampleMasks');
const ORIGINAL_CALL = Symbol('shardgrad.originalDropoutCall');

/** The model's Dropout layers, nested models' included, in a fixed order (the layer's part of each seed). */
export function dropoutLayers(model: tf.LayersModel): DropoutLike[] {
  const out: DropoutLike[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') out.push(layer as unknown as DropoutLike);
    // A model used as a layer (transfer learning's base) has layers of its own.
    if ('layers' in layer) out.push(...dropoutLayers(layer as unknown as tf.LayersModel));
  }
  return out;
}

/**
 * Runs `work` (one pass over `rows`, in that order) with per-sample masks from `seed`. Without a
 * seed, or for a layer seeded by seedDropout (calibration), tfjs's own dropout runs.
 */
export function withSampleMasks<T>(model: tf.LayersModel, seed: number | undefined, rows: ArrayLike<number>, work: () => T): T {
  const layers = seed === undefined ? [] : dropoutLayers(model);
  layers.forEach((layer, i) => {
    install(layer);
    layer[MASKS] = { seed: deriveSeed(seed!, i), rows };
  });
  try {
    return work();
  } finally {
    for (const layer of layers) delete layer[MASKS];
  }
}

function install(layer: DropoutLike): void {
  if (layer[ORIGINAL_CALL]) return;
  const original = layer.call.bind(layer);
  layer[ORIGINAL_CALL] = original;
  layer.call = (inputs, kwargs) => {
    const context = layer[MASKS];
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const usable = context && kwargs?.training === true && layer.seed == null && layer.noiseShape == null && layer.rate > 0 && layer.rate < 1;
    // An empty pass has no rows to draw for (and no units per row).
    if (!usable || context.rows.length === 0 || x.shape[0] !== context.rows.length) return original(inputs, kwargs);
    return tf.tidy(() => tf.mul(x, tf.reshape(masksOnBackend(context, layer.rate, x.size / context.rows.length), x.shape)));
  };
}

/** The masks as a [rows, perRow] tensor: drawn by the GPU where it has the kernel, else here and uploaded. */
function masksOnBackend(context: MaskContext, rate: number, perRow: number): tf.Tensor {
  if (tf.getKernel(DROPOUT_MASK_KERNEL, tf.getBackend()) == null) return tf.tensor2d(sampleMasks(context, rate, perRow), [context.rows.length, perRow]);
  const seeds = tf.tensor1d(Int32Array.from(context.rows, (row) => deriveSeed(context.seed, row) | 0), 'int32');
  const attrs: DropoutMaskAttrs = { perRow, rate };
  return tf.engine().runKernel(DROPOUT_MASK_KERNEL, { seeds }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * Each row's mask from its own stream: kept units scaled by 1 / (1 − rate), as tfjs's dropout. The
 * stream is seededRandom's (mulberry32) stepped here, without its closure, and a unit is kept where
 * its draw u (of 2³²) is at least keepThreshold(rate): the same test as u / 2³² ≥ rate, so the masks
 * are those of seededRandom, and of the WebGPU kernel (dropout-mask.webgpu.ts). A closure call and a
 * division per unit made this a GPU worker's largest CPU cost: 120 of ~250 ms a round at 4,096
 * images of the CNN, 6.4 M units.
 */
export function sampleMasks({ seed, rows }: MaskContext, rate: number, perRow: number): Float32Array {
  const keep = 1 / (1 - rate);
  const threshold = keepThreshold(rate);
  const mask = new Float32Array(rows.length * perRow);
  for (let r = 0; r < rows.length; r++) {
    let a = deriveSeed(seed, rows[r]!) >>> 0;
    for (let j = 0, o = r * perRow; j < perRow; j++) {
      a = (a + MULBERRY_STEP) >>> 0;
      mask[o + j] = mulberry32Bits(a) >= threshold ? keep : 0;
    }
  }
  return mask;
}
