import { describe, expect, it } from 'vitest';
import { DatasetOptionError } from './dataset.ts';
import { loadDataset } from './datasets.node.ts';
import { loadSotuWords } from './sotu.node.ts';
import { wordCorpusDataset } from './word-corpus.ts';

/** A dataset option that cannot be honoured is a DatasetOptionError (the CLI's exit 2), said before any data is read. */
describe('dataset options', () => {
  const refuse = async (name: string, opts: Record<string, unknown>, message: RegExp) => {
    const e = await loadDataset(name, opts).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e, `${name} ${JSON.stringify(opts)}`).toBeInstanceOf(DatasetOptionError);
    expect((e as Error).message).toMatch(message);
  };

  it('sotu-words (word2vec) refuses unknown keys and non-numbers', () => {
    expect(() => loadSotuWords({ maxVocab: 'abc' })).toThrow(DatasetOptionError);
    expect(() => loadSotuWords({ maxVocab: 'abc' })).toThrow(/dataset "sotu-words" option maxVocab must be a number, got "abc"/);
    expect(() => loadSotuWords({ foo: 1 })).toThrow(/dataset "sotu-words" has no option foo; options: minCount, maxVocab, subsample, validationFraction, seed/);
    expect(() => loadSotuWords({ foo: 1 })).toThrow(DatasetOptionError);
  });

  it('a word corpus refuses a seed that is no integer and a minCount that leaves no vocabulary', () => {
    const texts = ['the cat sat on the mat', 'the dog sat on the log', 'a cat and a dog'];
    expect(() => wordCorpusDataset('toy', texts, { seed: 1.5 })).toThrow(/dataset option seed must be an integer ≥ 0, got 1.5/);
    expect(() => wordCorpusDataset('toy', texts, { minCount: 1000, validationFraction: 0.4 })).toThrow(DatasetOptionError);
  });

  it('pong, fashion-mnist, cifar-10 and license-chars refuse options they do not have or cannot take', async () => {
    await refuse('pong', { foo: 1 }, /dataset "pong" has no option foo; options: episodes, evalEpisodes/);
    await refuse('fashion-mnist', { foo: 1 }, /dataset "fashion-mnist" has no option foo; options: trainLimit, testLimit, dir/);
    await refuse('cifar-10', { trainLimit: 'many' }, /dataset option trainLimit must be a positive integer, got "many"/);
    await refuse('license-chars', { minCount: 'abc' }, /dataset "license-chars" option minCount must be a number, got "abc"/);
    await refuse('license-chars', { minCount: 0 }, /dataset option minCount must be a positive integer, got 0/);
  });
});
