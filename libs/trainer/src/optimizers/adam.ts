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
  /**
   * v mixes g² convexly, so it stays below the largest g²; m stays below the largest |g|. Where
   * β1² < β2, Cauchy–Schwarz bounds |m| by a constant times √v (about 7 for the defaults, bias
   * corrections included a few times that), so a step moves a weight by at most ~100·lr. From
   * weights of ordinary size, float32's ~3.4e38 is then out of reach for any run at lr ≤ 1e6.
   */
  protected override stepStaysFinite(): boolean {
    return this.beta1 ** 2 < this.beta2 && this.learningRate <= 1e6;
  }
  /**
   * Bias corrections folded into two factors of this step: lr·(m/c1)/(√(v/c2)+ε) becomes
   * stepSize·m/(√(v·invC2)+ε), with one division per value.
   */
  protected biasCorrections(): { stepSize: number; invC2: number } {
    return { stepSize: this.learningRate / (1 - this.beta1 ** this.step), invC2: 1 / (1 - this.beta2 ** this.step) };
  }

  protected update(i: number, p: Float32Array, g: Float32Array) {
    const m = this.slots.m![i]!;
    const v = this.slots.v![i]!;
    const { beta1, beta2, epsilon } = this;
    const keep1 = 1 - beta1;
    const keep2 = 1 - beta2;
    const { stepSize, invC2 } = this.biasCorrections();
    for (let j = 0; j < p.length; j++) {
      const gj = g[j]!;
      const mj = (m[j] = beta1 * m[j]! + keep1 * gj);
      const vj = (v[j] = beta2 * v[j]! + keep2 * gj * gj);
      p[j]! -= (stepSize * mj) / (Math.sqrt(vj * invC2) + epsilon);
    }
  }
}
