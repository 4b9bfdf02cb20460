import { deriveSeed } from './rng.ts';
import { seededRandom } from './seeded-random.ts';
import { DatasetOptionError, type Dataset } from './dataset.ts';

/**
 * Dates written the many ways people write them, each labelled with its ISO form (YYYY-MM-DD), for
 * sequence-to-sequence learning. Everything is generated from the seed, so every process builds the
 * same data. Held out twice over: test dates are never training dates (one day in ten, by hash), and
 * half the test split uses formats that never appear in training.
 */
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Ymd {
  y: number;
  m: number;
  d: number;
  /** 0 = Sunday. */
  weekday: number;
}

const p2 = (n: number) => String(n).padStart(2, '0');
const mmm = (m: number) => MONTHS[m - 1]!.slice(0, 3);

type Format = (t: Ymd) => string;

export const TRAIN_FORMATS: Record<string, Format> = {
  'D MMM YYYY': (t) => `${t.d} ${mmm(t.m)} ${t.y}`,
  'MMMM D, YYYY': (t) => `${MONTHS[t.m - 1]} ${t.d}, ${t.y}`,
  'YYYY/MM/DD': (t) => `${t.y}/${p2(t.m)}/${p2(t.d)}`,
  'DD/MM/YYYY': (t) => `${p2(t.d)}/${p2(t.m)}/${t.y}`,
  'MMM D, YYYY': (t) => `${mmm(t.m)} ${t.d}, ${t.y}`,
  'D MMMM YYYY': (t) => `${t.d} ${MONTHS[t.m - 1]} ${t.y}`,
  'DD.MM.YYYY': (t) => `${p2(t.d)}.${p2(t.m)}.${t.y}`,
  'YYYY-MM-DD': (t) => `${t.y}-${p2(t.m)}-${p2(t.d)}`,
  'DD-MMM-YYYY': (t) => `${p2(t.d)}-${mmm(t.m)}-${t.y}`,
  'dddd, D MMMM YYYY': (t) => `${DAYS[t.weekday]}, ${t.d} ${MONTHS[t.m - 1]} ${t.y}`,
  'D MMM YYYY (upper)': (t) => `${t.d} ${mmm(t.m).toUpperCase()} ${t.y}`,
  YYYYMMDD: (t) => `${t.y}${p2(t.m)}${p2(t.d)}`,
};

/** Formats only the test split uses: near relatives of training formats, never seen as such. */
export const HELD_OUT_FORMATS: Record<string, Format> = {
  'MMM. D, YYYY': (t) => `${mmm(t.m)}. ${t.d}, ${t.y}`,
  'MMMM D YYYY': (t) => `${MONTHS[t.m - 1]} ${t.d} ${t.y}`,
  'DD-MM-YYYY': (t) => `${p2(t.d)}-${p2(t.m)}-${t.y}`,
  'ddd, MMM D, YYYY': (t) => `${DAYS[t.weekday]!.slice(0, 3)}, ${mmm(t.m)} ${t.d}, ${t.y}`,
};

/** Input characters; id 0 is padding, unknown characters are refused by encodeDateText. */
export const DATE_INPUT_CHARS = '\0 ,./-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ISO_CHARS = '0123456789-';
export const DATE_INPUT_LENGTH = 32;
export const ISO_LENGTH = 10;

export interface DatesDataset extends Dataset {
  /** Test rows from this index on use held-out formats; those before use training formats. */
  heldOutFormatsFrom: number;
  /** The raw input text of each test row, for reports. */
  testTexts: string[];
}

export function isDatesDataset(ds: Dataset): ds is DatesDataset {
  return typeof (ds as DatesDataset).heldOutFormatsFrom === 'number';
}

export function encodeDateText(text: string): Float32Array {
  if (text.length > DATE_INPUT_LENGTH) throw new Error(`date text is longer than ${DATE_INPUT_LENGTH} characters: "${text}"`);
  const ids = new Float32Array(DATE_INPUT_LENGTH);
  for (let i = 0; i < text.length; i++) {
    const id = DATE_INPUT_CHARS.indexOf(text[i]!);
    if (id <= 0) throw new Error(`date text has a character the model does not know: "${text[i]}" in "${text}"`);
    ids[i] = id;
  }
  return ids;
}

export const decodeIso = (ids: ArrayLike<number>): string => Array.from(ids, (i) => ISO_CHARS[i] ?? '?').join('');

const FIRST = Date.UTC(1950, 0, 1);
const DAY_COUNT = Math.round((Date.UTC(2050, 0, 1) - FIRST) / 86_400_000);

function dayOf(n: number): Ymd {
  const date = new Date(FIRST + n * 86_400_000);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate(), weekday: date.getUTCDay() };
}

/** One day in ten (by hash, not by range) is a test day, so test dates spread over the whole century. */
const isTestDay = (n: number, seed: number) => deriveSeed(seed, 99, n) % 10 === 0;

export interface DatesOptions {
  trainSize: number;
  testSize: number;
  seed: number;
}

export const DATES_DEFAULTS: DatesOptions = { trainSize: 20000, testSize: 2000, seed: 1 };

export function datesDataset(raw: Record<string, unknown> = {}): DatesDataset {
  const o = { ...DATES_DEFAULTS };
  for (const [k, v] of Object.entries(raw)) {
    if (!(k in o)) throw new DatasetOptionError(`dataset "dates" has no option ${k}; options: ${Object.keys(o).join(', ')}`);
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new DatasetOptionError(`dataset option ${k} must be a positive integer, got ${String(v)}`);
    o[k as keyof DatesOptions] = n;
  }
  const days = { train: [] as number[], test: [] as number[] };
  for (let n = 0; n < DAY_COUNT; n++) (isTestDay(n, o.seed) ? days.test : days.train).push(n);
  const texts: string[] = [];
  const make = (n: number, part: number, pool: number[], formats: Format[]) => {
    const x = new Float32Array(n * DATE_INPUT_LENGTH);
    const y = new Float32Array(n * ISO_LENGTH);
    for (let i = 0; i < n; i++) {
      const rng = seededRandom(deriveSeed(o.seed, part, i));
      const t = dayOf(pool[Math.floor(rng() * pool.length)]!);
      const text = formats[Math.floor(rng() * formats.length)]!(t);
      if (part > 0) texts.push(text);
      x.set(encodeDateText(text), i * DATE_INPUT_LENGTH);
      const iso = TRAIN_FORMATS['YYYY-MM-DD']!(t);
      for (let j = 0; j < ISO_LENGTH; j++) y[i * ISO_LENGTH + j] = ISO_CHARS.indexOf(iso[j]!);
    }
    return { x, y, n };
  };
  const half = Math.floor(o.testSize / 2);
  const seen = make(half, 1, days.test, Object.values(TRAIN_FORMATS));
  const unseen = make(o.testSize - half, 2, days.test, Object.values(HELD_OUT_FORMATS));
  const cat = (a: Float32Array, b: Float32Array) => {
    const r = new Float32Array(a.length + b.length);
    r.set(a);
    r.set(b, a.length);
    return r;
  };
  return {
    name: 'dates',
    inputShape: [DATE_INPUT_LENGTH],
    labelSize: ISO_LENGTH,
    numClasses: ISO_CHARS.length,
    classNames: ISO_CHARS.split(''),
    train: make(o.trainSize, 0, days.train, Object.values(TRAIN_FORMATS)),
    test: { x: cat(seen.x, unseen.x), y: cat(seen.y, unseen.y), n: o.testSize },
    heldOutFormatsFrom: half,
    testTexts: texts,
  };
}
