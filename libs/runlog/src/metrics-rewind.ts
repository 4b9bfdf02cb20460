import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from './atomic-write.ts';
import { parseCsvLine } from './metrics-csv.ts';

/**
 * Drops the rows logged after `step` from a metrics file (JSON lines or CSV with a `step` column),
 * keeping the header and every row at or before it; a torn last line goes too. A run resumed from a
 * checkpoint at `step` logs those steps again, and two rows for one step of one tag would leave a
 * reader to guess which counts. Rewritten atomically: a crash leaves the file as it was.
 */
export function dropMetricsAfter(path: string, step: number, format: 'jsonl' | 'csv'): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  // After the last '\n' is either nothing or a line a crashed writer left unfinished.
  const complete = text.split('\n').slice(0, -1);
  const torn = text.endsWith('\n') || text === '' ? 0 : 1;
  const header = format === 'csv' ? complete.slice(0, 1) : [];
  const rows = format === 'csv' ? complete.slice(1) : complete;
  const stepOf = format === 'csv' ? (l: string) => Number(parseCsvLine(l)[0]) : (l: string) => Number((JSON.parse(l) as { step: unknown }).step);
  const kept = rows.filter((l) => l.trim() === '' || !(stepOf(l) > step));
  const dropped = rows.length - kept.length + torn;
  if (dropped > 0) writeFileAtomicSync(path, [...header, ...kept].map((l) => `${l}\n`).join(''));
  return dropped;
}
