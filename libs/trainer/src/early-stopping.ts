import type { TensorData } from '@shardgrad/codec';

export type EarlyStoppingVerdict = { improved: boolean; stop: boolean };

/**
 * Watches a validation loss: remembers the best value, the step it was reached at and (on request)
 * a copy of the weights then, and says stop after `patience` evaluations without an improvement
 * larger than `minDelta`. With patience = Infinity it only keeps the best checkpoint.
 */
export class EarlyStopping {
  best = Infinity;
  bestStep = -1;
  bestWeights: TensorData[] | undefined;
  /** Evaluations since the last improvement. */
  sinceBest = 0;

  constructor(
    readonly patience: number,
    readonly minDelta = 0,
  ) {
    if (!(patience >= 1)) throw new RangeError(`early-stopping patience must be at least 1, got ${patience}`);
    if (!(minDelta >= 0)) throw new RangeError(`early-stopping minDelta must be >= 0, got ${minDelta}`);
  }

  /** `snapshot` is called only on an improvement, and only if given: copying weights costs memory. */
  update(value: number, step: number, snapshot?: () => TensorData[]): EarlyStoppingVerdict {
    // NaN (a diverged model) never counts as an improvement.
    const improved = value < this.best - this.minDelta;
    if (improved) {
      this.best = value;
      this.bestStep = step;
      this.sinceBest = 0;
      if (snapshot) this.bestWeights = snapshot();
    } else {
      this.sinceBest++;
    }
    return { improved, stop: this.sinceBest >= this.patience };
  }
}
