import type * as tf from '@tensorflow/tfjs';

/**
 * Copies the weights of every layer whose name is `prefix` or starts with `prefix_` from one model
 * into the same-named layer of another (transfer learning: a pre-trained base into a new model).
 * Layers are matched by their explicit names, which the models' builders give them, never by
 * tfjs's generated names. Returns the names of the layers whose weights were copied.
 */
export function copyLayerWeights(from: tf.LayersModel, to: tf.LayersModel, prefix: string): string[] {
  const wanted = to.layers.filter((l) => l.name === prefix || l.name.startsWith(`${prefix}_`));
  if (wanted.length === 0) throw new Error(`no layer of the target model is named ${prefix} or ${prefix}_*`);
  const copied: string[] = [];
  for (const layer of wanted) {
    const source = from.layers.find((l) => l.name === layer.name);
    if (!source) throw new Error(`layer ${layer.name} is missing from the source model`);
    const weights = source.getWeights();
    const targetShapes = layer.getWeights().map((w) => w.shape.join('x'));
    const sourceShapes = weights.map((w) => w.shape.join('x'));
    if (targetShapes.join() !== sourceShapes.join()) {
      throw new Error(`layer ${layer.name}: source weights [${sourceShapes.join(', ')}] do not fit the target's [${targetShapes.join(', ')}]`);
    }
    if (weights.length === 0) continue;
    layer.setWeights(weights);
    copied.push(layer.name);
  }
  return copied;
}
