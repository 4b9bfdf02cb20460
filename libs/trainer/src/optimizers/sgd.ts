import { ArrayOptimizer } from './optimizer.ts';

/** w ← w − lr·g */
export class Sgd extends ArrayOptimizer {
  readonly name = 'sgd';
  getClassName() {
    return 'SGD';
  }
  protected slotNames() {
    return [];
  }
  protected update(_i: number, p: Float32Array, g: Float32Array) {
    const lr = this.learningRate;
    for (let j = 0; j < p.length; j++) p[j]! -= lr * g[j]!;
  }
}
