import * as tf from '@tensorflow/tfjs';

/**
 * Running mean and mean square of the discounted return per timestep, kept as NON-TRAINABLE model
 * state so that it travels with the weights like batch-norm statistics.
 *
 * Why: Karpathy normalises returns over a batch of games. With one-point episodes, normalising each
 * episode on its own erases (or, scale-only, keeps undiluted) the outcome, and measured no learning in
 * 1,500 episodes; a baseline is what REINFORCE needs. The round's own mean would depend on every
 * worker's episodes, which no worker sees. A running mean from earlier rounds is known to all of them,
 * and its update is split-invariant: each worker moves the state towards the mean over ITS timesteps,
 * s' = s + α(mean_shard − s), and the coordinator's timestep-weighted mean of the returned copies is
 * s + α(mean_round − s), exactly what one process playing the whole round holds.
 */
export class ReturnStatistics extends tf.layers.Layer {
  static className = 'PongReturnStatistics';
  private stats?: tf.LayerVariable;

  override build(): void {
    // [mean, mean square]; a unit second moment makes the first round's scale 1.
    this.stats = this.addWeight('return_stats', [2], 'float32', tf.initializers.constant({ value: 0 }), undefined, false);
    const stats = this.stats;
    tf.tidy(() => {
      stats.write(tf.tensor1d([0, 1]));
    });
    this.built = true;
  }

  /** Identity: the layer only carries state. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return Array.isArray(inputs) ? inputs[0]! : inputs;
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return shape;
  }

  /** The statistics as a tensor to read (the variable's own: never disposed by a reader). */
  tensor(): tf.Tensor {
    return this.variable().read();
  }

  read(): ReturnMoments {
    return momentsOf(this.tensor().dataSync());
  }

  /** Moves the statistics, `from` as read before, a fraction `rate` towards those of `returns`. */
  update(returns: Float32Array, rate: number, from: ReturnMoments = this.read()): void {
    const { mean, meanSquare } = from;
    let s = 0;
    let sq = 0;
    for (const v of returns) {
      s += v;
      sq += v * v;
    }
    const n = Math.max(1, returns.length);
    tf.tidy(() => {
      this.variable().write(tf.tensor1d([mean + rate * (s / n - mean), meanSquare + rate * (sq / n - meanSquare)]));
    });
  }

  private variable(): tf.LayerVariable {
    if (!this.stats) throw new Error('ReturnStatistics used before it was built');
    return this.stats;
  }
}
tf.serialization.registerClass(ReturnStatistics);

export interface ReturnMoments {
  mean: number;
  meanSquare: number;
}

/** The moments from the values of ReturnStatistics.tensor(). */
export function momentsOf(values: ArrayLike<number>): ReturnMoments {
  return { mean: values[0]!, meanSquare: values[1]! };
}

/** The statistics layer of a pong policy. */
export function returnStatistics(model: tf.LayersModel): ReturnStatistics {
  const layer = model.layers.find((l) => l instanceof ReturnStatistics);
  if (!layer) throw new Error('this model has no ReturnStatistics layer');
  return layer as ReturnStatistics;
}

/** (G − mean) / std with the running statistics: the normalised returns REINFORCE weighs log π by. */
export function normaliseWith(returns: Float32Array, { mean, meanSquare }: ReturnMoments): Float32Array {
  const std = Math.sqrt(Math.max(meanSquare - mean * mean, 1e-4));
  return returns.map((v) => (v - mean) / std);
}
