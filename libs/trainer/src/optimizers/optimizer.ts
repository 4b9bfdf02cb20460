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

  constructor(public learningRate: number) {
    if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new Error(`learning rate must be a positive number, got ${learningRate}`);
  }

  abstract readonly name: string;
  /** tfjs-style class name, for reports. */
  abstract getClassName(): string;
  protected abstract slotNames(): string[];
  protected abstract update(i: number, p: Float32Array, g: Float32Array): void;

  /** One step on every parameter tensor, in position order (slots are kept by position). */
  apply(params: readonly Float32Array[], grads: readonly Float32Array[]): void {
    if (params.length !== grads.length) throw new Error(`expected ${params.length} gradients, got ${grads.length}`);
    for (const s of this.slotNames()) {
      if (!this.slots[s]) this.slots[s] = params.map((p) => new Float32Array(p.length));
      else if (this.slots[s]!.length !== params.length) throw new Error(`optimizer state holds ${this.slots[s]!.length} tensors, model has ${params.length}`);
    }
    this.step++;
    params.forEach((p, i) => {
      const g = grads[i]!;
      if (g.length !== p.length) throw new Error(`gradient ${i} has ${g.length} values, parameter has ${p.length}`);
      this.update(i, p, g);
    });
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
