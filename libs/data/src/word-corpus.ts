import { deriveSeed } from './rng.ts';
import { seededRandom } from './seeded-random.ts';
import { DatasetOptionError, type Dataset } from './dataset.ts';

/**
 * A corpus of documents as a word-embedding dataset: every row is one position of the token stream
 * (inputShape [1], x = the word id there, no labels), in corpus order. So a row's index names a centre
 * word and its neighbours are the rows next to it; a model reads contexts from `split.x` itself, and
 * the rows cross the wire to browser tabs like any other dataset (ids are exact in float32 below 2^24).
 *
 * The last `validationFraction` of the documents (the latest speeches, for a chronological corpus)
 * is the test stream; the vocabulary comes from the training documents only. Words outside the
 * vocabulary are dropped from both streams, and frequent words are thinned out once, here, with a
 * fixed seed (Mikolov et al.'s subsampling), so every worker holds the same stream.
 */
export interface WordCorpusOptions {
  /** Words seen fewer times than this in training are dropped. */
  minCount: number;
  /** At most this many words, the most frequent first. */
  maxVocab: number;
  /** Subsampling threshold t: a word of frequency f is kept with probability (√(f/t) + 1)·t/f; 0 keeps all. */
  subsample: number;
  validationFraction: number;
  /** Seeds the subsampling draws; part of the data, not of the run. */
  seed: number;
}

export const WORD_CORPUS_DEFAULTS: WordCorpusOptions = { minCount: 5, maxVocab: 10_000, subsample: 1e-4, validationFraction: 0.1, seed: 1 };

/** Stage directions of transcribed speeches, not words the speaker said. */
const STAGE_DIRECTIONS = /\((?:applause|laughter)[^)]*\)/gi;
/** Letters with inner apostrophes or hyphens ("don't", "well-being"); digits and other symbols split words. */
const WORD = /[a-z]+(?:['-][a-z]+)*/g;

/**
 * Lower-cased words of a text. Curly quotes become straight ones so "nation’s" and "nation's" agree,
 * and a trailing possessive "'s" is cut so "nation's" counts as "nation".
 */
export function tokenizeWords(text: string): string[] {
  const clean = text.replace(STAGE_DIRECTIONS, ' ').replace(/[\u2018\u2019]/g, "'").toLowerCase();
  const words = clean.match(WORD) ?? [];
  return words.map((w) => (w.endsWith("'s") ? w.slice(0, -2) : w));
}

export interface Vocabulary {
  words: string[];
  /** Training occurrences of each word, before subsampling; sorted high to low like `words`. */
  counts: number[];
}

/** The most frequent words (ties broken alphabetically, so the ids are the same on every machine). */
export function buildVocabulary(documents: readonly string[][], opts: Pick<WordCorpusOptions, 'minCount' | 'maxVocab'>): Vocabulary {
  const counts = new Map<string, number>();
  for (const doc of documents) for (const w of doc) counts.set(w, (counts.get(w) ?? 0) + 1);
  const kept = [...counts].filter(([, n]) => n >= opts.minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  kept.length = Math.min(kept.length, opts.maxVocab);
  return { words: kept.map(([w]) => w), counts: kept.map(([, n]) => n) };
}

/** Probability of keeping one occurrence of a word with `count` occurrences in `total` tokens. */
export function keepProbability(count: number, total: number, t: number): number {
  if (t <= 0) return 1;
  const f = count / total;
  return Math.min(1, (Math.sqrt(f / t) + 1) * (t / f));
}

/** Word ids of the documents' in-vocabulary words, each kept with its subsampling probability. */
function encodeStream(documents: readonly string[][], vocab: Vocabulary, o: WordCorpusOptions, stream: number): Float32Array {
  const idOf = new Map(vocab.words.map((w, i) => [w, i]));
  const total = vocab.counts.reduce((a, b) => a + b, 0);
  const keep = vocab.counts.map((c) => keepProbability(c, total, o.subsample));
  const rnd = seededRandom(deriveSeed(o.seed, stream));
  const ids: number[] = [];
  for (const doc of documents) {
    for (const w of doc) {
      const id = idOf.get(w);
      if (id !== undefined && rnd() < keep[id]!) ids.push(id);
    }
  }
  return Float32Array.from(ids);
}

export function wordCorpusDataset(name: string, texts: readonly string[], opts: Partial<WordCorpusOptions> = {}): Dataset {
  const o = { ...WORD_CORPUS_DEFAULTS, ...opts };
  if (!Number.isInteger(o.minCount) || o.minCount < 1) throw new DatasetOptionError(`dataset option minCount must be a positive integer, got ${o.minCount}`);
  if (!Number.isInteger(o.maxVocab) || o.maxVocab < 2) throw new DatasetOptionError(`dataset option maxVocab must be an integer ≥ 2, got ${o.maxVocab}`);
  if (!(o.subsample >= 0 && o.subsample < 1)) throw new DatasetOptionError(`dataset option subsample must be in [0, 1), got ${o.subsample}`);
  if (!(o.validationFraction > 0 && o.validationFraction < 0.5)) throw new DatasetOptionError(`dataset option validationFraction must be in (0, 0.5), got ${o.validationFraction}`);
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new DatasetOptionError(`dataset option seed must be an integer ≥ 0, got ${o.seed}`);
  const docs = texts.map(tokenizeWords);
  const cut = Math.min(docs.length - 1, Math.floor(docs.length * (1 - o.validationFraction)));
  if (cut < 1) throw new Error(`${docs.length} document(s) cannot be split into training and validation documents`);
  const vocab = buildVocabulary(docs.slice(0, cut), o);
  if (vocab.words.length < 2) throw new DatasetOptionError(`dataset option minCount ${o.minCount} leaves fewer than 2 words in the vocabulary: lower it`);
  const train = encodeStream(docs.slice(0, cut), vocab, o, 0);
  const test = encodeStream(docs.slice(cut), vocab, o, 1);
  const none = new Float32Array(0);
  return {
    name,
    inputShape: [1],
    labelSize: 0,
    numClasses: vocab.words.length,
    classNames: vocab.words,
    train: { x: train, y: none, n: train.length },
    test: { x: test, y: none, n: test.length },
  };
}
