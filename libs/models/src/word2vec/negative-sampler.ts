import type { Rng } from '@shardgrad/data';

/**
 * Draws "noise" words for negative sampling from the unigram distribution raised to 3/4 (Mikolov et
 * al.: flatter than the raw frequencies, so rare words are drawn more often than they occur).
 *
 * The counts come from the training stream a worker holds (`dataset.train.x`), after the dataset's
 * subsampling: that is all a browser tab receives, and every worker must draw from the same table.
 */
export const NOISE_POWER = 0.75;

export class NegativeSampler {
  /** Cumulative weights, cum[i] = Σ_{j ≤ i} count_j^¾; float64 so 10⁴ small terms add up exactly enough. */
  private readonly cum: Float64Array;

  constructor(counts: ArrayLike<number>, power = NOISE_POWER) {
    if (counts.length === 0) throw new Error('negative sampler: empty vocabulary');
    this.cum = new Float64Array(counts.length);
    let s = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (!(c >= 0)) throw new Error(`negative sampler: count ${c} of word ${i} is not a count`);
      s += c > 0 ? c ** power : 0;
      this.cum[i] = s;
    }
    if (!(s > 0)) throw new Error('negative sampler: every count is zero');
  }

  get size(): number {
    return this.cum.length;
  }

  /** Probability of drawing word `id`. */
  probability(id: number): number {
    const total = this.cum[this.cum.length - 1]!;
    return (this.cum[id]! - (id > 0 ? this.cum[id - 1]! : 0)) / total;
  }

  /** One word id: the first i with cum[i] > u·total (binary search). */
  draw(rng: Rng): number {
    const target = rng() * this.cum[this.cum.length - 1]!;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cum[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Occurrences of each of `vocabSize` ids in a stream of ids. */
export function countIds(stream: ArrayLike<number>, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (let i = 0; i < stream.length; i++) {
    const id = stream[i]!;
    if (!(id >= 0 && id < vocabSize && Number.isInteger(id))) throw new Error(`word id ${id} at position ${i} is outside the vocabulary of ${vocabSize}`);
    counts[id]!++;
  }
  return counts;
}

const cache = new WeakMap<Float32Array, NegativeSampler>();

/** The sampler of a training stream, built once per stream (a worker computes many rounds on one). */
export function samplerFor(stream: Float32Array, vocabSize: number): NegativeSampler {
  let s = cache.get(stream);
  if (!s || s.size !== vocabSize) {
    s = new NegativeSampler(countIds(stream, vocabSize));
    cache.set(stream, s);
  }
  return s;
}
