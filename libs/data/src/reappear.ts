import { deriveSeed } from './rng.ts';
import { seededRandom } from './seeded-random.ts';
import { DatasetOptionError, type Dataset } from './dataset.ts';

/**
 * "Does this symbol reappear k steps later?" A per-position labelling task that only future context
 * can solve: position t's label depends on the symbol at t + k. Each later symbol copies the one k
 * steps back with probability ½ (else it is a different random symbol), so the labels are balanced
 * and a net that reads left to right can do no better than a coin (50%).
 *
 * Inputs are one-hot, shape [length, symbols]. Labels are per position, 1 or 0; the last k positions
 * have no future to ask about and hold MASKED (−1), which the loss and accuracy skip. Every sequence
 * has the same number of labelled positions, so a batch's masked mean is still the mean of its
 * samples' means and shard means combine exactly.
 */
export const MASKED = -1;

export interface ReappearOptions {
  length: number;
  symbols: number;
  lag: number;
  trainSize: number;
  testSize: number;
  seed: number;
}

export const REAPPEAR_DEFAULTS: ReappearOptions = { length: 10, symbols: 4, lag: 2, trainSize: 4000, testSize: 1000, seed: 1 };

export function reappearOptions(raw: Record<string, unknown> = {}): ReappearOptions {
  const known = Object.keys(REAPPEAR_DEFAULTS);
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new DatasetOptionError(`dataset "reappear" has no option ${unknown.join(', ')}; options: ${known.join(', ')}`);
  const o = { ...REAPPEAR_DEFAULTS };
  for (const k of known as (keyof ReappearOptions)[]) {
    if (raw[k] === undefined) continue;
    const n = Number(raw[k]);
    if (!Number.isInteger(n) || n < (k === 'seed' ? 0 : 1)) throw new DatasetOptionError(`dataset option ${k} must be a positive integer, got ${String(raw[k])}`);
    o[k] = n;
  }
  if (o.symbols < 2) throw new DatasetOptionError('dataset option symbols must be at least 2');
  if (o.lag >= o.length) throw new DatasetOptionError(`dataset option lag (${o.lag}) must be below length (${o.length})`);
  return o;
}

/** One sequence of symbol ids, reproducible from (seed, row). */
export function reappearSequence(o: ReappearOptions, seed: number): Int32Array {
  const rng = seededRandom(seed);
  const s = new Int32Array(o.length);
  for (let t = 0; t < o.length; t++) {
    const copy = t >= o.lag && rng() < 0.5;
    if (copy) s[t] = s[t - o.lag]!;
    else {
      // A fresh symbol differs from the one k back, so "copied" and "label 1" mean the same thing.
      const avoid = t >= o.lag ? s[t - o.lag]! : -1;
      let v = Math.floor(rng() * (avoid < 0 ? o.symbols : o.symbols - 1));
      if (avoid >= 0 && v >= avoid) v++;
      s[t] = v;
    }
  }
  return s;
}

export function reappearDataset(raw: Record<string, unknown> = {}): Dataset {
  const o = reappearOptions(raw);
  const split = (n: number, part: number) => {
    const x = new Float32Array(n * o.length * o.symbols);
    const y = new Float32Array(n * o.length).fill(MASKED);
    for (let i = 0; i < n; i++) {
      const s = reappearSequence(o, deriveSeed(o.seed, part, i));
      s.forEach((v, t) => (x[(i * o.length + t) * o.symbols + v] = 1));
      for (let t = 0; t + o.lag < o.length; t++) y[i * o.length + t] = s[t + o.lag] === s[t] ? 1 : 0;
    }
    return { x, y, n };
  };
  return {
    name: 'reappear',
    inputShape: [o.length, o.symbols],
    labelSize: o.length,
    numClasses: 2,
    classNames: ['no', 'reappears'],
    train: split(o.trainSize, 0),
    test: split(o.testSize, 1),
  };
}
