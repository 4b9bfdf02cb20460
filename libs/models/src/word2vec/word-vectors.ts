import { deriveSeed, seededRandom } from '@shardgrad/data';

/**
 * Word vectors as plain arrays (no tfjs), so the CLI can query a run's exported TSV and the model's
 * report can score the trained matrix with the same code.
 */
export class WordVectors {
  /** Rows scaled to unit length: cosine similarity is then a dot product. */
  private readonly unit: Float32Array;
  private readonly index: Map<string, number>;

  constructor(
    readonly words: readonly string[],
    vectors: ArrayLike<number>,
    readonly dims: number,
    /** Subtract the mean vector before taking cosines (see below); false gives raw cosines. */
    readonly center = true,
  ) {
    if (dims < 1 || vectors.length !== words.length * dims) throw new Error(`${vectors.length} values are not ${words.length} vectors of ${dims}`);
    this.index = new Map(words.map((w, i) => [w, i]));
    if (this.index.size !== words.length) throw new Error('the word list has duplicates');
    // Skip-gram with negative sampling gives every vector a large shared component (it acts as a bias
    // that makes every logit negative, the cheap way to reject noise words), so raw cosines of any two
    // words sit near 1. Removing the mean vector first ("all-but-the-top", Mu & Viswanath 2018) leaves
    // the part that tells words apart.
    const mean = new Float64Array(dims);
    if (center) for (let i = 0; i < words.length; i++) for (let j = 0; j < dims; j++) mean[j]! += vectors[i * dims + j]! / words.length;
    this.unit = new Float32Array(vectors.length);
    for (let i = 0; i < words.length; i++) {
      let s = 0;
      for (let j = 0; j < dims; j++) s += (vectors[i * dims + j]! - mean[j]!) ** 2;
      // A zero vector stays zero: it is similar to nothing rather than NaN to everything.
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let j = 0; j < dims; j++) this.unit[i * dims + j] = (vectors[i * dims + j]! - mean[j]!) * inv;
    }
  }

  /**
   * Reads the two projector files a word2vec run writes (vectors.tsv: one row of tab-separated values
   * per word; metadata.tsv: the words, same order). Throws on rows of unequal length, non-numbers,
   * and counts that differ, naming the line.
   */
  static fromProjectorTsv(vectorsTsv: string, metadataTsv: string): WordVectors {
    const words = metadataTsv.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));
    const rows = vectorsTsv.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));
    if (rows.length !== words.length) throw new Error(`vectors.tsv has ${rows.length} rows but metadata.tsv has ${words.length} words`);
    if (rows.length === 0) throw new Error('vectors.tsv is empty');
    const dims = rows[0]!.split('\t').length;
    const values = new Float32Array(rows.length * dims);
    rows.forEach((row, i) => {
      const cells = row.split('\t');
      if (cells.length !== dims) throw new Error(`vectors.tsv line ${i + 1} has ${cells.length} values, line 1 has ${dims}`);
      cells.forEach((c, j) => {
        const v = Number(c);
        if (c.trim() === '' || !Number.isFinite(v)) throw new Error(`vectors.tsv line ${i + 1} value ${j + 1} is not a number: ${JSON.stringify(c)}`);
        values[i * dims + j] = v;
      });
    });
    return new WordVectors(words, values, dims);
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** The word's id; an unknown word is a user error, named with a hint. */
  id(word: string): number {
    const i = this.index.get(word);
    if (i === undefined) throw new UnknownWordError(word, this.words.length);
    return i;
  }

  cosineOfIds(a: number, b: number): number {
    let s = 0;
    for (let j = 0; j < this.dims; j++) s += this.unit[a * this.dims + j]! * this.unit[b * this.dims + j]!;
    return s;
  }

  cosine(a: string, b: string): number {
    return this.cosineOfIds(this.id(a), this.id(b));
  }

  /** The k words most similar to `word` by cosine, itself excluded, best first. */
  nearest(word: string, k: number): { word: string; cosine: number }[] {
    const q = this.id(word);
    const scored: { id: number; cosine: number }[] = [];
    for (let i = 0; i < this.words.length; i++) if (i !== q) scored.push({ id: i, cosine: this.cosineOfIds(q, i) });
    scored.sort((a, b) => b.cosine - a.cosine || a.id - b.id);
    return scored.slice(0, k).map((s) => ({ word: this.words[s.id]!, cosine: s.cosine }));
  }
}

export class UnknownWordError extends Error {
  override name = 'UnknownWordError';
  constructor(
    readonly word: string,
    vocabularySize: number,
  ) {
    // A pasted paragraph is not echoed back whole.
    const shown = word.length > 40 ? `${word.slice(0, 40)}… (${word.length} characters)` : word;
    super(`"${shown}" is not in the vocabulary (${vocabularySize} words, lower case; rare words were dropped)`);
  }
}

export interface PairCheck {
  /** Share of comparisons where cos(a, b) of a related pair beats cos(a, r) of a random pair. */
  winRate: number;
  comparisons: number;
  /** Related pairs whose two words are both in the vocabulary (the others are skipped). */
  pairsUsed: number;
  /** Mean cosine of the related pairs and of the random ones, to show the gap. */
  meanRelated: number;
  meanRandom: number;
}

/**
 * The related-pair check: for every related pair (a, b) and each of `draws` random partners r,
 * does cos(a, b) beat cos(a, r)? Partners come from `partners(rng)` (a seeded draw), never a or b.
 * A net that learned nothing wins about half the comparisons.
 */
export function relatedPairCheck(
  v: WordVectors,
  pairs: readonly (readonly [string, string])[],
  partners: (rng: () => number) => number,
  draws: number,
  seed: number,
): PairCheck {
  let wins = 0;
  let comparisons = 0;
  let related = 0;
  let random = 0;
  let used = 0;
  pairs.forEach(([a, b], i) => {
    if (!v.has(a) || !v.has(b)) return;
    used++;
    const ia = v.id(a);
    const ib = v.id(b);
    const pos = v.cosineOfIds(ia, ib);
    related += pos;
    const rng = seededRandom(deriveSeed(seed, i));
    for (let d = 0; d < draws; d++) {
      let r = partners(rng);
      while (r === ia || r === ib) r = partners(rng);
      const neg = v.cosineOfIds(ia, r);
      random += neg;
      if (pos > neg) wins++;
      comparisons++;
    }
  });
  if (used === 0) throw new Error('none of the related pairs is in the vocabulary');
  return { winRate: wins / comparisons, comparisons, pairsUsed: used, meanRelated: related / used, meanRandom: random / comparisons };
}
