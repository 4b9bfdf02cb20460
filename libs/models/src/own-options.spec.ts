import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { DATE_INPUT_LENGTH, ISO_CHARS, charTextDataset } from '@shardgrad/data';
import { autoencoder, buildAutoencoder } from './autoencoder.ts';
import { ModelConfigError, runModelConfig } from './model-options.ts';
import { buildPongPolicy, pongSettings } from './pong/pong.ts';
import { buildCharRnn, charRnn, checkPrime } from './sequence/char-rnn.ts';
import { buildSeq2seq } from './sequence/seq2seq.ts';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

/**
 * Each model's own options are checked when the coordinator builds the model (or, for what needs
 * the data, when it resolves the run's config): a bad value is a ModelConfigError naming what is
 * allowed (exit 2 in the CLI) before any round, never a silent default.
 */
describe("the models' own options", () => {
  it.each([
    [{ gamma: 1.5 }, /pong option gamma must be a discount in \[0, 1\], got 1.5/],
    [{ gamma: 'high' }, /gamma must be a discount in \[0, 1\], got "high"/],
    [{ repeat: 0 }, /repeat must be an integer in \[1, 16\], got 0/],
    [{ points: 2.5 }, /points must be an integer in \[1, 21\], got 2.5/],
    [{ hidden: 'abc' }, /hidden must be an integer in \[1, 4096\], got "abc"/],
    [{ checkEpisodes: -1 }, /checkEpisodes must be an integer in \[0, 100000\], got -1/],
    [{ serve: 'bottom' }, /serve must be one of random, top, got "bottom"/],
  ])('pong refuses %j', (config, message) => {
    expect(() => pongSettings(config)).toThrow(ModelConfigError);
    expect(() => buildPongPolicy({ seed: 1, config })).toThrow(message);
  });

  it('pong takes its defaults and good values', () => {
    expect(pongSettings({})).toEqual({ points: 1, repeat: 4, hidden: 32, gamma: 0.99, checkEpisodes: 1000, serve: 'random' });
    expect(pongSettings({ gamma: 0, repeat: 2, serve: 'top', checkEpisodes: 0 })).toMatchObject({ gamma: 0, repeat: 2, serve: 'top', checkEpisodes: 0 });
  });

  it.each([
    [{ temperature: 0 }, /char-rnn option temperature must be a positive number, got 0/],
    [{ sampleLength: 'abc' }, /char-rnn option sampleLength must be an integer in \[1, 100000\], got "abc"/],
    [{ prime: true }, /char-rnn option prime must be text, got true/],
  ])('char-rnn refuses %j when it is built', (config, message) => {
    expect(() => buildCharRnn({ inputShape: [16], numClasses: 30, seed: 1, config })).toThrow(message);
  });

  it("char-rnn refuses a prime with characters outside the data's vocabulary, listing the allowed ones", () => {
    const ds = charTextDataset('toy', 'abc abc abc. '.repeat(40), { minCount: 1 });
    expect(() => checkPrime({ prime: '€€ab' }, ds)).toThrow(/prime has characters outside the toy vocabulary: "€"; use only these: " \.abc"/);
    expect(() => checkPrime({ prime: 'cab a.' }, ds)).not.toThrow();
    // Only a prime the user gave is checked; the default ("This License") is not this toy text's.
    expect(() => checkPrime({}, ds)).not.toThrow();
    // The run's config goes through the check before the model is built.
    expect(() => runModelConfig(charRnn, { prime: 'xyz' }, ds)).toThrow(/outside the toy vocabulary: "xyz"/);
    expect(runModelConfig(charRnn, { prime: 'abc' }, ds)).toEqual({ prime: 'abc' });
  });

  it.each([
    [{ attention: 'maybe' }, /seq2seq option attention must be true or false, got maybe/],
    [{ heatMapInput: 'Nov 25, 2026 €' }, /heatMapInput: .*"€".*letters, digits, spaces and ",\.\/-"/],
    [{ heatMapInput: '' }, /heatMapInput must be a date as text/],
    // 5,000 digits given with --set read as a number, which Infinity cannot spell back.
    [{ heatMapInput: Number.POSITIVE_INFINITY }, /heatMapInput: a number too long to keep its digits/],
  ])('seq2seq refuses %j when it is built', (config, message) => {
    expect(() => buildSeq2seq({ inputShape: [DATE_INPUT_LENGTH], numClasses: ISO_CHARS.length, seed: 1, config })).toThrow(message);
  });

  it('the autoencoder takes one hidden size or a list, mirrored in the decoder', () => {
    const units = (hidden: unknown) => {
      const m = buildAutoencoder({ inputShape: [28, 28, 1], numClasses: 0, seed: 1, config: hidden === undefined ? {} : { hidden } });
      const u = m.layers.slice(1).map((l) => (l.outputShape as number[])[1]);
      m.dispose();
      return u;
    };
    expect(units(undefined)).toEqual([128, 32, 128, 784]);
    expect(units(256)).toEqual([256, 32, 256, 784]);
    expect(units('256,128')).toEqual([256, 128, 32, 128, 256, 784]);
    expect(() => units('256,0')).toThrow(/hidden must list 1 to 8 layer sizes in \[1, 4096\] like "32,32", got "256,0"/);
    expect(autoencoder.options!.hidden).toMatch(/list of layers like "256,128"/);
  });
});
