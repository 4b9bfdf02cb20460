import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlMetricsFile, readMetrics, type MetricRecord } from './metrics-jsonl.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlog-jsonl-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const records: MetricRecord[] = [
  { step: 1, tag: 'train', wallTime: 1700000000.25, values: { loss: 2.302585092994046, lr: 0.001 } },
  { step: 1, tag: 'validation', wallTime: 1700000001, values: { accuracy: 0.1 } },
  { step: 2, wallTime: 1700000002, values: { loss: NaN, grad_norm: Infinity, other: -Infinity } },
];

describe('metrics.jsonl', () => {
  it('writes one JSON object per line and reads records back losslessly', () => {
    const path = join(dir, 'metrics.jsonl');
    const f = JsonlMetricsFile.open(path);
    for (const r of records) f.append(r);
    f.close();
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')).toHaveLength(records.length + 1);
    expect(JSON.parse(text.split('\n')[0]!)).toEqual({
      step: 1,
      tag: 'train',
      wallTime: 1700000000.25,
      values: { loss: 2.302585092994046, lr: 0.001 },
    });
    expect(text).toContain('"loss":"NaN"'); // not null: a NaN loss must stay visible
    expect(readMetrics(path)).toEqual(records);
    expect(readMetrics(dir)).toEqual(records); // a run directory works too
  });

  it('appends on reopen and repairs a torn last line', () => {
    const path = join(dir, 'metrics.jsonl');
    const a = JsonlMetricsFile.open(path);
    a.append(records[0]!);
    a.close();
    appendFileSync(path, '{"step":2,"wallT');
    expect(readMetrics(path)).toEqual([records[0]]); // a reader skips the torn tail
    const b = JsonlMetricsFile.open(path);
    b.append(records[1]!);
    b.close();
    expect(readMetrics(path)).toEqual([records[0], records[1]]);
  });

  it('throws with the line number on corruption in the middle', () => {
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, '{"step":1,"wallTime":1,"values":{}}\nnot json\n{"step":2,"wallTime":2,"values":{}}\n');
    expect(() => readMetrics(path)).toThrow(`${path}:2: invalid JSON`);
    writeFileSync(path, '{"step":1,"wallTime":1,"values":{"a":"toString"}}\n');
    expect(() => readMetrics(path)).toThrow(/not a number/);
  });
});
