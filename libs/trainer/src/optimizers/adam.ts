import { ArrayOptimizer } from './optimizer.ts';

/** tf.train.adam defaults; epsilon is tfjs's float32 backend epsilon. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

/** Adam as tfjs computes it: bias-corrected moments, ε added after the square root. */
export class Adam extends ArrayOptimizer {
  readonly name = 'adam';
  constructor(
    learningRate: number,
    readonly beta1 = BETA1,
    readonly beta2 = BETA2,
    readonly epsilon = EPSILON,
  ) {
    super(learningRate);
  }
  getClassName() {
    return 'Adam';
  }
  protected slotNames() {
    return ['m', 'v'];
  }
  protected update(i: number, p: Float32Array, g: Float32Array) {
    const m = this.slots.m![i]!;
    const v = this.slots.v![i]!;
    const { beta1, beta2, epsilon } = this;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    const lr = this.learningRate;
    for (let j = 0; j < p.length; j++) {
      const gj = g[j]!;
      const mj = (m[j] = beta1 * m[j]! + (1 - beta1) * gj);
      const vj = (v[j] = beta2 * v[j]! + (1 - beta2) * gj * gj);
      p[j]! -= (lr * (mj / c1)) / (Math.sqrt(vj / c2) + epsilon);
    }
  }
}
