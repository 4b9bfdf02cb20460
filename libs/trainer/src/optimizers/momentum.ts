import { ArrayOptimizer } from './optimizer.ts';

/** Keras' default momentum. */
export const DEFAULT_MOMENTUM = 0.9;

/** tf.train.momentum: a ← m·a + g; w ← w − lr·a */
export class Momentum extends ArrayOptimizer {
  readonly name = 'momentum';
  constructor(
    learningRate: number,
    readonly momentum = DEFAULT_MOMENTUM,
  ) {
    super(learningRate);
  }
  getClassName() {
    return 'Momentum';
  }
  protected slotNames() {
    return ['accumulation'];
  }
  protected update(i: number, p: Float32Array, g: Float32Array) {
    const a = this.slots.accumulation![i]!;
    const lr = this.learningRate;
    const m = this.momentum;
    for (let j = 0; j < p.length; j++) {
      a[j] = m * a[j]! + g[j]!;
      p[j]! -= lr * a[j]!;
    }
  }
}
