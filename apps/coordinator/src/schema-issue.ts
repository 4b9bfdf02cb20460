import type { z } from 'zod';

/**
 * `position.step must be a whole number ≥ 0, got -5`: a schema's first complaint about a file, with
 * the value as the file has it, for a person to find and fix (zod's own words name neither).
 */
export function describeIssue(error: z.ZodError, raw: unknown, whole = 'the file'): string {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const got = valueAt(raw, issue.path);
  const shown = got === undefined ? 'nothing' : (JSON.stringify(got) ?? String(got)).slice(0, 80);
  return `${path || whole} must be ${issue.message}, got ${shown}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
