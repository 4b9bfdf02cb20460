import { describe, expect, it } from 'vitest';
import { charTextDataset } from './char-text.ts';
import { DATE_INPUT_CHARS, datesDataset, decodeIso, encodeDateText } from './dates.ts';
import { MASKED, reappearDataset } from './reappear.ts';

describe('reappear', () => {
  it('tags position t with whether x[t + k] = x[t], masks the last k, and the tags are balanced', () => {
    const ds = reappearDataset({ trainSize: 400, testSize: 10, length: 10, lag: 2, symbols: 4 });
    const { x, y } = ds.train;
    let ones = 0;
    let labelled = 0;
    const sym = (i: number, t: number) => Array.from(x.subarray((i * 10 + t) * 4, (i * 10 + t + 1) * 4)).indexOf(1);
    for (let i = 0; i < 400; i++) {
      for (let t = 0; t < 10; t++) {
        const v = y[i * 10 + t]!;
        if (t >= 8) expect(v).toBe(MASKED);
        else {
          expect(v).toBe(sym(i, t + 2) === sym(i, t) ? 1 : 0);
          ones += v;
          labelled++;
        }
      }
    }
    expect(ones / labelled).toBeGreaterThan(0.45);
    expect(ones / labelled).toBeLessThan(0.55);
    expect(reappearDataset({ trainSize: 5, testSize: 5 }).train.x).toEqual(reappearDataset({ trainSize: 5, testSize: 5 }).train.x);
  });

  it('refuses unknown or bad options', () => {
    expect(() => reappearDataset({ colour: 1 })).toThrow(/no option colour/);
    expect(() => reappearDataset({ lag: 20, length: 10 })).toThrow(/lag/);
    expect(() => reappearDataset({ symbols: 1 })).toThrow(/symbols/);
  });
});

describe('dates', () => {
  it('labels every text with its ISO date, holds out test dates and, for half the test split, formats', () => {
    const ds = datesDataset({ trainSize: 3000, testSize: 200 });
    const texts = (split: typeof ds.train) =>
      Array.from({ length: split.n }, (_, i) => Array.from(split.x.subarray(i * 32, (i + 1) * 32), (c) => DATE_INPUT_CHARS[c]).join('').replace(/\0+$/, ''));
    const isoOf = (split: typeof ds.train) => Array.from({ length: split.n }, (_, i) => decodeIso(split.y.subarray(i * 10, (i + 1) * 10)));
    const trainIso = new Set(isoOf(ds.train));
    const testIso = isoOf(ds.test);
    for (const d of testIso) expect(trainIso.has(d), d).toBe(false);
    expect(texts(ds.test)).toEqual(ds.testTexts);
    for (const [i, t] of ds.testTexts.entries()) {
      const year = testIso[i]!.slice(0, 4);
      expect(t).toContain(year);
    }
    // Held-out formats never appear in training: "Nov." style abbreviations with a period.
    expect(texts(ds.train).some((t) => /[A-Za-z]\. /.test(t))).toBe(false);
    expect(ds.testTexts.slice(ds.heldOutFormatsFrom).some((t) => /[A-Za-z]\. /.test(t))).toBe(true);
  });

  it('refuses characters it cannot encode and unknown options', () => {
    expect(() => encodeDateText('25 Nov 2026 ☃')).toThrow(/does not know/);
    expect(() => encodeDateText('x'.repeat(40))).toThrow(/longer than/);
    expect(() => datesDataset({ formats: 3 })).toThrow(/no option formats/);
  });
});

describe('charTextDataset', () => {
  it('windows the text with next-character labels and a unigram baseline from the training part', () => {
    const text = 'the cat sat on the mat. '.repeat(200);
    const ds = charTextDataset('t', text, { length: 8, minCount: 1 });
    const v = ds.vocabulary;
    const row = Array.from(ds.train.x.subarray(0, 8), (i) => v[i]).join('');
    const next = Array.from(ds.train.y.subarray(0, 8), (i) => v[i]).join('');
    expect(row).toBe('the cat ');
    expect(next).toBe('he cat s');
    expect(ds.unigramLoss).toBeGreaterThan(1);
    expect(() => charTextDataset('t', 'short', { length: 8 })).toThrow(/too short/);
  });
});
