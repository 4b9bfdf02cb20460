import { DatasetOptionError, type Dataset } from './dataset.ts';

/**
 * A text as a character language-modelling dataset: rows are windows of `length` character ids,
 * labels the same window shifted by one (the next character at every position). The last
 * `validationFraction` of the text is held out as one contiguous block, so no validation window
 * overlaps a training one. Characters rarer than `minCount` in the training part share one id ("¤").
 */
export interface CharTextOptions {
  length: number;
  validationFraction: number;
  minCount: number;
}

export const CHAR_TEXT_DEFAULTS: CharTextOptions = { length: 16, validationFraction: 0.1, minCount: 20 };
export const RARE_CHAR = '¤';

export interface CharTextDataset extends Dataset {
  /** Character of each id; `classNames` holds the same. */
  vocabulary: string[];
  /** Cross-entropy (nats per character) of the validation text under the training text's character frequencies. */
  unigramLoss: number;
}

export function isCharTextDataset(ds: Dataset): ds is CharTextDataset {
  return Array.isArray((ds as CharTextDataset).vocabulary) && typeof (ds as CharTextDataset).unigramLoss === 'number';
}

export function charTextDataset(name: string, text: string, opts: Partial<CharTextOptions> = {}): CharTextDataset {
  const o = { ...CHAR_TEXT_DEFAULTS, ...opts };
  if (!Number.isInteger(o.length) || o.length < 2) throw new DatasetOptionError(`dataset option length must be an integer ≥ 2, got ${o.length}`);
  if (!(o.validationFraction > 0 && o.validationFraction < 0.5)) throw new DatasetOptionError(`dataset option validationFraction must be in (0, 0.5), got ${o.validationFraction}`);
  if (!Number.isInteger(o.minCount) || o.minCount < 1) throw new DatasetOptionError(`dataset option minCount must be a positive integer, got ${o.minCount}`);
  const chars = Array.from(text);
  const cut = Math.floor(chars.length * (1 - o.validationFraction));
  const counts = new Map<string, number>();
  for (let i = 0; i < cut; i++) counts.set(chars[i]!, (counts.get(chars[i]!) ?? 0) + 1);
  const vocabulary = [...counts].filter(([, n]) => n >= o.minCount).map(([c]) => c).sort();
  vocabulary.push(RARE_CHAR);
  const idOf = new Map(vocabulary.map((c, i) => [c, i]));
  const rare = vocabulary.length - 1;
  const ids = Int32Array.from(chars, (c) => idOf.get(c) ?? rare);

  const freq = new Float64Array(vocabulary.length);
  for (let i = 0; i < cut; i++) freq[ids[i]!]!++;
  let unigramLoss = 0;
  for (let i = cut; i < ids.length; i++) unigramLoss -= Math.log((freq[ids[i]!]! + 1) / (cut + vocabulary.length));
  unigramLoss /= ids.length - cut;

  const windows = (from: number, to: number) => {
    const n = Math.max(0, Math.floor((to - from - 1) / o.length));
    const x = new Float32Array(n * o.length);
    const y = new Float32Array(n * o.length);
    for (let r = 0; r < n; r++) {
      const s = from + r * o.length;
      for (let t = 0; t < o.length; t++) {
        x[r * o.length + t] = ids[s + t]!;
        y[r * o.length + t] = ids[s + t + 1]!;
      }
    }
    return { x, y, n };
  };
  const train = windows(0, cut);
  const test = windows(cut, ids.length);
  if (train.n === 0 || test.n === 0) throw new Error(`text of ${chars.length} characters is too short for windows of ${o.length}`);
  return { name, inputShape: [o.length], labelSize: o.length, numClasses: vocabulary.length, classNames: vocabulary, vocabulary, unigramLoss, train, test };
}
