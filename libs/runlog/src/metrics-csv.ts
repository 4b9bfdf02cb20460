// metrics.csv: the spreadsheet/pandas view of a run. Metrics appear over time (validation only
// every N rounds, a new diagnostic added mid-run), and a CSV has exactly one header, so when a new
// column shows up the file is rewritten with the wider header and old rows padded with blanks.
// New columns are only ever added at the end, which makes padding a per-line suffix and lets the
// rewrite avoid parsing any row but the header.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { openLineFileForAppend, syncAndClose, writeAllSync } from './append-file.ts';
import { writeFileAtomicSync } from './atomic-write.ts';

// Far above any real header (hundreds of metric names), small enough to read in one go.
const HEADER_READ_LIMIT = 1 << 20;

export type CsvValue = string | number | undefined;

/** Quotes a field per RFC 4180 when it holds a comma or a quote. */
export function formatCsvField(value: CsvValue): string {
  if (value === undefined) return '';
  // String(number) is the shortest round-tripping form; NaN/Infinity/-Infinity are what pandas
  // and spreadsheets parse back as such.
  const text = String(value);
  if (/[\r\n]/.test(text)) {
    // A newline inside a field would break the one-line-per-row invariant the widening relies on.
    throw new Error(`CSV field must not contain a line break: ${JSON.stringify(text)}`);
  }
  return /[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Splits one CSV line (no line breaks inside fields, which we never write). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error(`unterminated quote in CSV line: ${line}`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
    } else {
      while (i < line.length && line[i] !== ',') field += line[i++];
    }
    fields.push(field);
    if (i >= line.length) return fields;
    if (line[i] !== ',') throw new Error(`malformed CSV line: ${line}`);
    i++;
  }
}

/** Append-only CSV whose header grows to the right as new keys are appended. */
export class GrowingCsvFile {
  private fd: number | undefined;
  private columns: string[];
  private readonly known: Set<string>;

  private constructor(
    readonly path: string,
    fd: number,
    columns: string[],
  ) {
    this.fd = fd;
    this.columns = columns;
    this.known = new Set(columns);
  }

  /**
   * Opens or creates `path`. An existing file keeps its header (so resumed runs append in the same
   * column order); `leadingColumns` only shape a new file's header.
   */
  static open(path: string, leadingColumns: readonly string[]): GrowingCsvFile {
    const { fd, size } = openLineFileForAppend(path);
    if (size > 0) {
      try {
        return new GrowingCsvFile(path, fd, parseCsvLine(readFirstLine(path)));
      } catch (err) {
        closeSync(fd);
        throw err;
      }
    }
    const columns = [...leadingColumns];
    writeAllSync(fd, Buffer.from(columns.map(formatCsvField).join(',') + '\n', 'utf8'));
    return new GrowingCsvFile(path, fd, columns);
  }

  /** The current header, in file order. */
  get header(): readonly string[] {
    return this.columns;
  }

  /** Appends one row; keys not yet in the header widen it first. Missing keys become blanks. */
  append(row: Readonly<Record<string, CsvValue>>): void {
    if (this.fd === undefined) throw new Error(`CSV file ${this.path} is closed`);
    const added = Object.keys(row).filter((k) => !this.known.has(k));
    if (added.length > 0) this.widen(added);
    const line = this.columns.map((c) => formatCsvField(row[c])).join(',') + '\n';
    writeAllSync(this.fd, Buffer.from(line, 'utf8'));
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    syncAndClose(fd);
  }

  // Rewritten atomically: a crash mid-widen leaves the old, narrower but complete file, never a
  // header that disagrees with its rows. O(file size), but it happens once per new metric name.
  private widen(added: string[]): void {
    for (const name of added) formatCsvField(name); // validate before touching the file
    const text = readFileSync(this.path, 'utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop(); // the file ends with '\n'
    const columns = [...this.columns, ...added];
    const pad = ','.repeat(added.length);
    const out = [columns.map(formatCsvField).join(',')];
    for (let i = 1; i < lines.length; i++) out.push(lines[i] + pad);
    writeFileAtomicSync(this.path, out.join('\n') + '\n');
    // The rename replaced the inode, so the old fd now points at an unlinked file.
    closeSync(this.fd!);
    this.fd = openLineFileForAppend(this.path).fd;
    this.columns = columns;
    for (const name of added) this.known.add(name);
  }
}

// Only the head is read: reopening a long run's CSV should not load every row.
function readFirstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(HEADER_READ_LIMIT);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const end = text.indexOf('\n');
    if (end === -1) throw new Error(`${path}: CSV header longer than ${HEADER_READ_LIMIT} bytes`);
    return text.slice(0, end);
  } finally {
    closeSync(fd);
  }
}
