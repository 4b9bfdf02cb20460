import { sumOfSquares } from '../aggregators/coordinates.ts';

/**
 * The largest Σg² a gradient may have: a quarter of float32's largest value, so every g², and every
 * slot mixed from it (a convex combination, rounded), stays a float32 number.
 */
export const MAX_GRADIENT_SUM_OF_SQUARES = 3.4028234663852886e38 / 4;

/**
 * An optimizer over plain Float32Arrays. The coordinator's hot path (one step per round) then never
 * goes through tfjs ops, and the whole state is typed arrays: checkpoints save it bit for bit.
 * Formulas follow tfjs 4.22's optimizers, so a run can be checked against tf.train.* (see the spec).
 */
export interface OptimizerState {
  name: string;
  step: number;
  learningRate: number;
  /** Slot arrays, by slot name, one per parameter tensor in position order. */
  slots: Record<string, Float32Array[]>;
}

export abstract class ArrayOptimizer {
  step = 0;
  protected slots: Record<string, Float32Array[]> = {};
  /** Why the last step was undone (see apply); undefined after a step that was kept. */
  refusal: string | undefined;
  /** The parameters and slots as they were before the step in progress, to undo it. */
  private before: { params: Float32Array[]; slots: Record<string, Float32Array[]> } = { params: [], slots: {} };

  constructor(public learningRate: number) {
    if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new Error(`learning rate must be a positive number, got ${learningRate}`);
  }

  abstract readonly name: string;
  /** tfjs-style class name, for reports. */
  abstract getClassName(): string;
  protected abstract slotNames(): string[];
  protected abstract update(i: number, p: Float32Array, g: Float32Array): void;

  /**
   * True where a step on a gradient within MAX_GRADIENT_SUM_OF_SQUARES provably leaves every weight
   * and slot finite: apply then needs no look at the weights afterwards, nor a copy to undo from
   * (about half of a SIMD Adam step's time).
   */
  protected stepStaysFinite(): boolean {
    return false;
  }

  /**
   * One step on every parameter tensor, in position order (slots are kept by position). A step that
   * would leave a weight or a slot NaN or infinite is not taken: false, with `refusal` saying why,
   * and the optimizer and the parameters as they were. Kept, one such value freezes training for
   * good (Adam's infinite second moment makes every later step 0) or poisons every later gradient.
   *
   * The gradient is checked first: a NaN, an ∞, or a value whose square float32 cannot hold is
   * refused before anything changes. Below that bound every slot of these optimizers stays finite
   * (second moments are at most the largest g², first moments and momentum a bounded multiple of
   * |g|), so only the updated weights need a look afterwards; for the rare overflow there, the step
   * is undone from a copy. The checks cost about as much as a SIMD Adam step (~0.07 ms per 100k values):
   * `gradientsBounded` (the caller has checked every Σg², as the coordinator does for each result)
   * skips the first, and an optimizer whose step stays finite (stepStaysFinite) the second.
   */
  apply(params: readonly Float32Array[], grads: readonly Float32Array[], o: { gradientsBounded?: boolean } = {}): boolean {
    if (params.length !== grads.length) throw new Error(`expected ${params.length} gradients, got ${grads.length}`);
    params.forEach((p, i) => {
      if (grads[i]!.length !== p.length) throw new Error(`gradient ${i} has ${grads[i]!.length} values, parameter has ${p.length}`);
    });
    for (const s of this.slotNames()) {
      if (!this.slots[s]) this.slots[s] = params.map((p) => new Float32Array(p.length));
      else if (this.slots[s]!.length !== params.length) throw new Error(`optimizer state holds ${this.slots[s]!.length} tensors, model has ${params.length}`);
    }
    if (!o.gradientsBounded) {
      const tooLarge = grads.findIndex((g) => !(sumOfSquares(g) < MAX_GRADIENT_SUM_OF_SQUARES));
      if (tooLarge >= 0) return this.refuse(`gradient ${tooLarge} holds a NaN, an infinity or a value whose square float32 cannot hold`);
    }
    if (this.stepStaysFinite()) {
      this.step++;
      params.forEach((p, i) => this.update(i, p, grads[i]!));
      this.refusal = undefined;
      return true;
    }
    this.keep(params);
    this.step++;
    params.forEach((p, i) => this.update(i, p, grads[i]!));
    const broken = params.findIndex((p) => !Number.isFinite(sumOfSquares(p)));
    if (broken < 0) {
      this.refusal = undefined;
      return true;
    }
    this.undo(params);
    return this.refuse(`it would make weight tensor ${broken} non-finite`);
  }

  private refuse(why: string): false {
    this.refusal = `step ${this.step + 1} not applied: ${why}`;
    return false;
  }

  /** Copies (memcpy, ~3 µs per 100k values) of the parameters and slots, to undo the step from. */
  private keep(params: readonly Float32Array[]): void {
    const copy = (from: readonly Float32Array[], to: Float32Array[]) =>
      from.forEach((a, i) => {
        if (to[i]?.length !== a.length) to[i] = new Float32Array(a.length);
        to[i]!.set(a);
      });
    copy(params, this.before.params);
    for (const [name, arrays] of Object.entries(this.slots)) copy(arrays, (this.before.slots[name] ??= []));
  }

  private undo(params: readonly Float32Array[]): void {
    this.step--;
    params.forEach((p, i) => p.set(this.before.params[i]!));
    for (const [name, arrays] of Object.entries(this.slots)) arrays.forEach((a, i) => a.set(this.before.slots[name]![i]!));
  }

  getState(): OptimizerState {
    return { name: this.name, step: this.step, learningRate: this.learningRate, slots: Object.fromEntries(Object.entries(this.slots).map(([k, v]) => [k, v.map((a) => a.slice())])) };
  }

  setState(s: OptimizerState): void {
    if (s.name !== this.name) throw new Error(`checkpoint holds ${s.name} state, optimizer is ${this.name}`);
    this.step = s.step;
    this.learningRate = s.learningRate;
    this.slots = Object.fromEntries(Object.entries(s.slots).map(([k, v]) => [k, v.map((a) => a.slice())]));
  }

  dispose(): void {}
}
