import * as tf from '@tensorflow/tfjs';

type Container = { layers?: tf.layers.Layer[] };

/**
 * The sum of the layers' regularization losses (L1/L2 kernel penalties), or null when there are
 * none. LayersModel.calculateLosses() misses them for Sequential models (its container nodes are
 * the inner model's), so this walks the layers, nested models included. A penalty depends on the
 * weights only, so adding it to each shard's mean loss keeps the shard-weighted mean exact.
 */
export function weightPenalty(model: tf.LayersModel): tf.Scalar | null {
  const terms: tf.Scalar[] = [];
  const visit = (layer: tf.layers.Layer | tf.LayersModel) => {
    const inner = (layer as Container).layers;
    if (inner && inner.length > 0 && layer !== (model as unknown)) {
      inner.forEach(visit);
      return;
    }
    if (layer.losses.length > 0) terms.push(...layer.calculateLosses());
  };
  (model as Container).layers?.forEach(visit);
  return terms.length === 0 ? null : (tf.addN(terms) as tf.Scalar);
}
