import { deriveSeed, randInt, seededRandom } from '@shardgrad/data';
import type { NegativeSampler } from './negative-sampler.ts';

/**
 * The work unit of skip-gram with negative sampling: one item = one position of the token stream.
 * From (round seed, position) alone, the item draws its window size b ∈ [1, W], one context word
 * within b of the centre, and K noise words. So a round's pairs are the same however its positions
 * are split among workers, and so is its gradient.
 *
 * Drawing b first, then an offset within b, weights near contexts more, as word2vec's dynamic
 * window does: P(|offset| = d) ∝ Σ_{b ≥ d} 1/b.
 */
export interface SkipGramOptions {
  /** Largest window W. */
  window: number;
  /** Noise words K per pair. */
  negatives: number;
}

export interface SkipGramBatch {
  n: number;
  /** Centre word of each pair. */
  centers: Int32Array;
  /** n × (K + 1): the context word, then the K noise words. */
  targets: Int32Array;
}

export function skipGramBatch(
  stream: ArrayLike<number>,
  positions: ArrayLike<number>,
  seed: number,
  sampler: NegativeSampler,
  o: SkipGramOptions,
): SkipGramBatch {
  if (stream.length < 2) throw new Error(`a stream of ${stream.length} word(s) has no (centre, context) pair`);
  const n = positions.length;
  const k1 = o.negatives + 1;
  const centers = new Int32Array(n);
  const targets = new Int32Array(n * k1);
  for (let i = 0; i < n; i++) {
    const p = positions[i]!;
    if (!(Number.isInteger(p) && p >= 0 && p < stream.length)) throw new RangeError(`position ${p} is outside the stream (n = ${stream.length})`);
    const rng = seededRandom(deriveSeed(seed, p));
    const b = randInt(rng, 1, o.window);
    const d = randInt(rng, 1, b);
    let c = rng() < 0.5 ? p - d : p + d;
    // At the ends of the stream the window is one-sided; reflect rather than redraw, so the number
    // of draws (and every later draw) stays fixed.
    if (c < 0 || c >= stream.length) c = 2 * p - c;
    if (c < 0 || c >= stream.length) c = p === 0 ? 1 : p - 1;
    centers[i] = stream[p]!;
    targets[i * k1] = stream[c]!;
    for (let j = 1; j < k1; j++) targets[i * k1 + j] = sampler.draw(rng);
  }
  return { n, centers, targets };
}
