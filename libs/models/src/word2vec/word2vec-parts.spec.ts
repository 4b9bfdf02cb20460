import { describe, expect, it } from 'vitest';
import { seededRandom } from '@shardgrad/data';
import { countIds, NegativeSampler, samplerFor } from './negative-sampler.ts';
import { RELATED_PAIRS } from './related-pairs.ts';
import { skipGramBatch } from './skipgram-pairs.ts';
import { relatedPairCheck, UnknownWordError, WordVectors } from './word-vectors.ts';

describe('NegativeSampler', () => {
  it('draws words in proportion to count^0.75', () => {
    const s = new NegativeSampler([16, 1, 0, 81]);
    expect(s.probability(0)).toBeCloseTo(8 / 36, 12);
    expect(s.probability(2)).toBe(0);
    const rng = seededRandom(3);
    const hits = [0, 0, 0, 0];
    for (let i = 0; i < 36_000; i++) hits[s.draw(rng)]!++;
    expect(hits[2]).toBe(0);
    expect(hits[0]! / 36_000).toBeCloseTo(8 / 36, 2);
    expect(hits[3]! / 36_000).toBeCloseTo(27 / 36, 2);
  });

  it('counts a stream, refuses ids outside the vocabulary, and caches one sampler per stream', () => {
    expect(Array.from(countIds([0, 2, 2, 1, 2], 3))).toEqual([1, 1, 3]);
    expect(() => countIds([0, 3], 3)).toThrow(/outside the vocabulary/);
    expect(() => new NegativeSampler([0, 0])).toThrow(/every count is zero/);
    const stream = Float32Array.from([0, 1, 1]);
    expect(samplerFor(stream, 2)).toBe(samplerFor(stream, 2));
  });
});

describe('skipGramBatch', () => {
  const stream = Float32Array.from({ length: 200 }, (_, i) => (i * 7) % 13);
  const sampler = new NegativeSampler(countIds(stream, 13));
  const o = { window: 3, negatives: 4 };

  it('gives each position its centre, a context within the window and K noise words', () => {
    const positions = Array.from({ length: 200 }, (_, i) => i);
    const b = skipGramBatch(stream, positions, 9, sampler, o);
    expect(b.targets.length).toBe(200 * 5);
    for (let i = 0; i < 200; i++) {
      expect(b.centers[i]).toBe(stream[i]);
      // The context is the word at some offset 1..3 on either side (ids repeat every 13 positions).
      const near = [-3, -2, -1, 1, 2, 3].filter((d) => i + d >= 0 && i + d < 200).map((d) => stream[i + d]);
      expect(near).toContain(b.targets[i * 5]);
    }
  });

  it('depends only on (seed, position): any split of a round gives the same pairs', () => {
    const all = skipGramBatch(stream, [5, 0, 199, 42, 17], 11, sampler, o);
    const a = skipGramBatch(stream, [5, 0], 11, sampler, o);
    const b = skipGramBatch(stream, [199, 42, 17], 11, sampler, o);
    expect(Array.from(all.targets)).toEqual([...a.targets, ...b.targets]);
    expect(Array.from(all.centers)).toEqual([...a.centers, ...b.centers]);
    expect(Array.from(skipGramBatch(stream, [5], 12, sampler, o).targets)).not.toEqual(Array.from(a.targets.slice(0, 5)));
  });

  it('refuses positions outside the stream and streams without a pair', () => {
    expect(() => skipGramBatch(stream, [200], 1, sampler, o)).toThrow(/outside the stream/);
    expect(() => skipGramBatch(stream, [-1], 1, sampler, o)).toThrow(/outside the stream/);
    expect(() => skipGramBatch([3], [0], 1, sampler, o)).toThrow(/no \(centre, context\) pair/);
  });
});

describe('WordVectors', () => {
  const words = ['king', 'queen', 'apple', 'pear'];
  const raw = [10, 1, 0, 10, 0.9, 0.1, 10, 0, 1, 10, 0.1, 0.9];

  it('finds nearest words by cosine after removing the shared mean vector', () => {
    const v = new WordVectors(words, raw, 3);
    expect(v.nearest('king', 1)).toEqual([{ word: 'queen', cosine: expect.closeTo(v.cosine('king', 'queen'), 12) }]);
    expect(v.nearest('apple', 3).map((n) => n.word)).toEqual(['pear', 'king', 'queen']); // ties (cosine −1) in vocabulary order
    // Raw cosines are all near 1: the shared component dominates.
    expect(new WordVectors(words, raw, 3, false).cosine('king', 'apple')).toBeGreaterThan(0.98);
    expect(v.cosine('king', 'apple')).toBeLessThan(0);
  });

  it('names an unknown word and refuses mis-sized input', () => {
    const v = new WordVectors(words, raw, 3);
    expect(() => v.nearest('kingdom', 3)).toThrow(UnknownWordError);
    expect(() => v.nearest('kingdom', 3)).toThrow(/"kingdom" is not in the vocabulary \(4 words/);
    expect(() => v.nearest('x'.repeat(100_000), 3)).toThrow(/^"x{40}… \(100000 characters\)" is not in the vocabulary/);
    expect(() => new WordVectors(words, raw, 4)).toThrow(/not 4 vectors of 4/);
    expect(() => new WordVectors(['a', 'a'], [1, 2], 1)).toThrow(/duplicates/);
  });

  it('reads the projector TSV files and names the broken line', () => {
    const v = WordVectors.fromProjectorTsv('1\t0\n0\t1\n1\t0.1\n', 'a\nb\nc\n');
    expect(v.nearest('a', 1)[0]!.word).toBe('c');
    expect(() => WordVectors.fromProjectorTsv('1\t0\n0\n', 'a\nb\n')).toThrow(/line 2 has 1 values, line 1 has 2/);
    expect(() => WordVectors.fromProjectorTsv('1\t0\nx\t1\n', 'a\nb\n')).toThrow(/line 2 value 1 is not a number/);
    expect(() => WordVectors.fromProjectorTsv('1\t0\n', 'a\nb\n')).toThrow(/1 rows but metadata.tsv has 2 words/);
  });
});

describe('relatedPairCheck', () => {
  it('is near 1 when related pairs share a direction and near one half for random vectors', () => {
    const words = RELATED_PAIRS.flat();
    const unique = [...new Set(words)];
    const dims = 16;
    const rng = seededRandom(5);
    const noise = () => rng() - 0.5;
    const randomVectors = Float32Array.from({ length: unique.length * dims }, noise);
    const random = relatedPairCheck(new WordVectors(unique, randomVectors, dims), RELATED_PAIRS, (r) => Math.floor(r() * unique.length), 20, 1);
    expect(random.pairsUsed).toBe(RELATED_PAIRS.length);
    expect(random.winRate).toBeGreaterThan(0.4);
    expect(random.winRate).toBeLessThan(0.6);
    // Pair i's two words share basis direction i mod dims plus a little noise.
    const related = new Float32Array(unique.length * dims).map(() => noise() * 0.1);
    RELATED_PAIRS.forEach(([a, b], i) => {
      related[unique.indexOf(a) * dims + (i % dims)]! += 1;
      related[unique.indexOf(b) * dims + (i % dims)]! += 1;
    });
    const good = relatedPairCheck(new WordVectors(unique, related, dims), RELATED_PAIRS, (r) => Math.floor(r() * unique.length), 20, 1);
    expect(good.winRate).toBeGreaterThan(0.85);
    expect(good.meanRelated).toBeGreaterThan(good.meanRandom);
  });

  it('has at least 30 pairs, each of two different words, and refuses a vocabulary holding none of them', () => {
    expect(RELATED_PAIRS.length).toBeGreaterThanOrEqual(30);
    for (const [a, b] of RELATED_PAIRS) expect(a).not.toBe(b);
    expect(() => relatedPairCheck(new WordVectors(['x', 'y'], [1, 0], 1), RELATED_PAIRS, () => 0, 5, 1)).toThrow(/none of the related pairs/);
  });
});
