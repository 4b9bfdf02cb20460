// metrics.jsonl: the lossless, machine-readable metrics log (the CSV is for people, the event file
// for TensorBoard). One JSON object per line, so it can be appended without rewriting and read
// while the run is live.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openLineFileForAppend, syncAndClose, writeAllSync } from './append-file.ts';

/** File name of the JSONL log inside a run directory. */
export const METRICS_JSONL = 'metrics.jsonl';

/** One logMetrics call. `values` are full float64, unlike TensorBoard's float32. */
export interface MetricRecord {
  step: number;
  /** e.g. 'train' or 'validation'; absent when logged without a tag. */
  tag?: string;
  /** Seconds since the epoch, the same clock TensorBoard's wall_time uses. */
  wallTime: number;
  values: Record<string, number>;
}

// JSON has no NaN or Infinity and JSON.stringify silently turns them into null, which would hide
// exactly the divergence a loss log is for. They are stored as these strings and restored on read.
const NON_FINITE = new Map<unknown, number>([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
]);

function encodeValue(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function decodeValue(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  const special = NON_FINITE.get(v);
  if (special !== undefined) return special;
  throw new Error(`${where}: metric value ${JSON.stringify(v)} is not a number`);
}

/** Serializes one record as a line, newline included. */
export function formatMetricLine(record: MetricRecord): string {
  const values: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(record.values)) values[k] = encodeValue(v);
  const line: Record<string, unknown> = { step: record.step };
  if (record.tag !== undefined) line['tag'] = record.tag;
  line['wallTime'] = record.wallTime;
  line['values'] = values;
  return JSON.stringify(line) + '\n';
}

/** Parses one line; `where` labels errors (file and line number). */
export function parseMetricLine(line: string, where: string): MetricRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw new Error(`${where}: invalid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new Error(`${where}: not a JSON object`);
  const obj = raw as Record<string, unknown>;
  if (typeof obj['step'] !== 'number') throw new Error(`${where}: missing numeric "step"`);
  if (typeof obj['wallTime'] !== 'number') throw new Error(`${where}: missing numeric "wallTime"`);
  const rawValues = obj['values'];
  if (typeof rawValues !== 'object' || rawValues === null) throw new Error(`${where}: missing "values"`);
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(rawValues)) values[k] = decodeValue(v, where);
  const record: MetricRecord = { step: obj['step'], wallTime: obj['wallTime'], values };
  if (typeof obj['tag'] === 'string') record.tag = obj['tag'];
  return record;
}

/** Appender for metrics.jsonl; reopening repairs a torn last line instead of gluing onto it. */
export class JsonlMetricsFile {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  static open(path: string): JsonlMetricsFile {
    return new JsonlMetricsFile(path, openLineFileForAppend(path).fd);
  }

  append(record: MetricRecord): void {
    if (this.fd === undefined) throw new Error(`metrics file ${this.path} is closed`);
    // One write per line: a concurrent reader sees whole lines except, at worst, the last.
    writeAllSync(this.fd, Buffer.from(formatMetricLine(record), 'utf8'));
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    syncAndClose(fd);
  }
}

/**
 * Reads every metric record of a run. `path` is a run directory or a .jsonl file. A final line
 * without its newline is skipped if it does not parse (a live or crashed writer was mid-line);
 * a bad line anywhere else throws with its line number, since that is real corruption.
 */
export function readMetrics(path: string): MetricRecord[] {
  const file = statSync(path).isDirectory() ? join(path, METRICS_JSONL) : path;
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text.length === 0;
  const last = lines.pop() ?? ''; // '' when the file ends with a newline
  const records: MetricRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== '') records.push(parseMetricLine(line, `${file}:${i + 1}`));
  });
  if (!complete && last.trim() !== '') {
    try {
      records.push(parseMetricLine(last, `${file}:${lines.length + 1}`));
    } catch {
      /* torn tail, see above */
    }
  }
  return records;
}
