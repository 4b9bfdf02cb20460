import { ArrayOptimizer } from './optimizer.ts';

/** tf.train.rmsprop defaults: decay 0.9, no momentum, epsilon 1e-7 (float32 backends). */
const DECAY = 0.9;
const EPSILON = 1e-7;

/** ms ← d·ms + (1−d)·g²; mom ← μ·mom + lr·g/√(ms+ε); w ← w − mom */
export class RmsProp extends ArrayOptimizer {
  readonly name = 'rmsprop';
  constructor(
    learningRate: number,
    readonly decay = DECAY,
    readonly momentum = 0,
    readonly epsilon = EPSILON,
  ) {
    super(learningRate);
  }
  getClassName() {
    return 'RMSProp';
  }
  protected slotNames() {
    return ['meanSquare', 'moments'];
  }
  protected update(i: number, p: Float32Array, g: Float32Array) {
    const ms = this.slots.meanSquare![i]!;
    const mom = this.slots.moments![i]!;
    const { decay, momentum, epsilon } = this;
    const lr = this.learningRate;
    for (let j = 0; j < p.length; j++) {
      const gj = g[j]!;
      ms[j] = decay * ms[j]! + (1 - decay) * gj * gj;
      mom[j] = momentum * mom[j]! + (lr * gj) / Math.sqrt(ms[j]! + epsilon);
      p[j]! -= mom[j]!;
    }
  }
}
