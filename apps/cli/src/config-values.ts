import type { Option } from 'commander';

/**
 * The values a config file or a variable may give a flag, and how a repeatable flag (--set,
 * --dataset-option, --allow-origin) takes several: each is what one more use of the flag would give.
 */

export type Scalar = string | number | boolean;
/** A list (one flag value, joined by commas, or one use each of a repeatable flag), or a mapping (key=value uses). */
export type SettingValue = Scalar | Scalar[] | { [key: string]: unknown };

/** Flags documented as repeatable are the ones whose parser folds each use into the ones before. */
export function isRepeatable(o: Option): boolean {
  return /\brepeatable\b/.test(o.description);
}

export const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `v` cannot be a setting's value, in words for `<where>: <why>`; undefined when it can. */
export function badValue(v: unknown, repeatable: boolean): string | undefined {
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      if (Array.isArray(x) || isMapping(x)) return `item ${i + 1} of the list is a ${Array.isArray(x) ? 'list' : 'mapping'}; give plain values`;
      const why = badScalar(x);
      if (why) return `item ${i + 1} of the list ${why}`;
    }
    return undefined;
  }
  if (isMapping(v)) {
    if (!repeatable) return 'is a mapping, but this setting takes one value';
    for (const [k, x] of Object.entries(v)) {
      const why = x === null ? undefined : nonFinite(x);
      if (why) return `${k} ${why}`;
    }
    return undefined;
  }
  return badScalar(v);
}

function badScalar(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'has no value (null); give one, or leave the setting out for its default';
  if (typeof v === 'number') return nonFinite(v);
  if (typeof v === 'string' || typeof v === 'boolean') return undefined;
  return `is a ${typeof v}, not a value`;
}

/** NaN and infinities anywhere in a value (YAML's .nan and .inf, or 1e400, which overflows to infinity). */
function nonFinite(v: unknown): string | undefined {
  if (typeof v === 'number' && !Number.isFinite(v)) {
    return Number.isNaN(v) ? 'is not a number (NaN)' : `is ${v > 0 ? '' : 'minus '}infinity (.inf, or a number too large, such as 1e400)`;
  }
  const parts = Array.isArray(v) ? v : isMapping(v) ? Object.values(v) : [];
  for (const x of parts) {
    const why = nonFinite(x);
    if (why) return why;
  }
  return undefined;
}

/** A value of a mapping as the text after `key=` on the command line (keyValue reads it back as JSON). */
const mappingText = (k: string, v: unknown) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;

/** The uses of a repeatable flag that a file's value stands for: a list's items, a mapping's pairs, or the one value. */
export function fileUses(v: SettingValue): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (isMapping(v)) return Object.entries(v).map(([k, x]) => mappingText(k, x));
  return [String(v)];
}

/** `,key=` inside one line: what a list of key=value settings joined by commas looks like. */
const JOINED_SETTINGS = /,\s*[A-Za-z][\w-]*=/;

/**
 * The uses of a repeatable flag that a variable stands for: one a line, each line whole, commas
 * included (values such as classes=[0,1] have them). A single line that reads like settings joined
 * by commas is refused, since it may be one value or several; a newline after it says it is one.
 */
export function envUses(text: string, variable: string): string[] | { ambiguous: string } {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (!text.includes('\n') && JOINED_SETTINGS.test(text)) {
    const example = text.split(/,(?=\s*[A-Za-z][\w-]*=)/).map((p) => p.trim()).join('\\n');
    return {
      ambiguous:
        `"${text}" may be one value or several: a variable holds one value a line, commas and all (as in classes=[0,1]). ` +
        `For several, put each on its own line (${variable}=$'${example}'); for one value with that comma, end it with a newline`,
    };
  }
  return lines;
}
