import { MAX_GRADIENT_SUM_OF_SQUARES, median } from '@shardgrad/trainer';

/** Σg² a result may have at most: where every result stays within it, the optimizer need not check the mean again. */
export const MAX_SUM_OF_SQUARES = MAX_GRADIENT_SUM_OF_SQUARES;
/**
 * A result's gradient norm may be this many times the median of recent accepted ones. Honest norms
 * move by far less between rounds (a one-sample shard's mean is noisier than a full shard's, early
 * rounds are steeper than late ones, an RNN spikes now and then); refusing an honest spike would cost
 * every worker that recomputes the shard a strike, so the bound is deliberately loose.
 */
export const NORM_MULTIPLE = 1000;
/** The relative bound applies once this many results were accepted: before, there is nothing to compare with. */
export const MIN_OBSERVATIONS = 5;
/**
 * The relative bound is never below this norm: where recent gradients are (near) zero, a multiple of
 * the median would refuse the first real gradient.
 */
export const MIN_NORM_LIMIT = 1e4;
/** Accepted norms remembered; the median of these is the reference. */
const WINDOW = 64;

export type NormVerdict = { ok: true; norm: number } | { ok: false; reason: 'out-of-range'; message: string };

/**
 * Refuses gradients that are finite but far beyond any honest one. Adam's second moment keeps g²
 * for thousands of steps: a single shard of values near 1e19 (finite, and so through every other
 * check) makes it infinite, and values near 1e15 make it so large that every later step is ~0 for
 * longer than any run lasts. Either way training freezes without an error.
 *
 * Two bounds: Σg² must stay below float32's largest value from the very first result, and once
 * a few results were accepted, the norm (√Σg² of the shard's mean gradient, which is what every
 * result carries, so shards of any size compare) must stay within NORM_MULTIPLE of the recent median.
 */
export class GradientNormGuard {
  private norms: number[] = [];

  /**
   * `sumSquares` holds Σg² per tensor (validateResult's by-product); the first `trainable` tensors are
   * gradients, the rest (batch-norm statistics) are averaged as they are and count only for the ceiling.
   */
  check(sumSquares: readonly number[], trainable = sumSquares.length): NormVerdict {
    let total = 0;
    let gradients = 0;
    sumSquares.forEach((s, i) => {
      total += s;
      if (i < trainable) gradients += s;
    });
    if (!(total < MAX_SUM_OF_SQUARES)) {
      return { ok: false, reason: 'out-of-range', message: `Σg² of ${total.toExponential(3)} is beyond ${MAX_SUM_OF_SQUARES.toExponential(3)}, a quarter of float32's largest value` };
    }
    const norm = Math.sqrt(gradients);
    const limit = this.limit();
    if (limit !== undefined && norm > limit) {
      return {
        ok: false,
        reason: 'out-of-range',
        message: `gradient norm ${norm.toExponential(3)} exceeds the limit ${limit.toExponential(3)} (${NORM_MULTIPLE}× the median of the last ${this.norms.length} accepted results)`,
      };
    }
    return { ok: true, norm };
  }

  /** A result with this norm was accepted into a round. */
  accepted(norm: number): void {
    if (!Number.isFinite(norm)) return;
    this.norms.push(norm);
    if (this.norms.length > WINDOW) this.norms.shift();
  }

  /** The largest norm accepted now, or undefined while there are too few observations. */
  limit(): number | undefined {
    if (this.norms.length < MIN_OBSERVATIONS) return undefined;
    return Math.max(MIN_NORM_LIMIT, NORM_MULTIPLE * median(this.norms));
  }

  /** A new run (another model): its gradients owe nothing to the old one's. */
  reset(): void {
    this.norms = [];
  }
}
