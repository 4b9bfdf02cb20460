import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrowingCsvFile, formatCsvField, parseCsvLine } from './metrics-csv.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlog-csv-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');

describe('GrowingCsvFile', () => {
  it('widens the header when new columns appear, padding old rows with blanks', () => {
    const path = join(dir, 'metrics.csv');
    const csv = GrowingCsvFile.open(path, ['step', 'tag']);
    csv.append({ step: 1, tag: 'train', loss: 0.5 });
    csv.append({ step: 2, tag: 'train', loss: 0.25 });
    csv.append({ step: 2, tag: 'validation', accuracy: 0.9, loss: 0.3 });
    csv.append({ step: 3, tag: 'train', loss: 0.2, grad_norm: 1.5, accuracy: 0.95 });
    csv.append({ step: 4, tag: 'train', loss: NaN });
    csv.close();
    expect(lines(path)).toEqual([
      'step,tag,loss,accuracy,grad_norm',
      '1,train,0.5,,',
      '2,train,0.25,,',
      '2,validation,0.3,0.9,',
      '3,train,0.2,0.95,1.5',
      '4,train,NaN,,',
    ]);
    expect(readdirSync(dir)).toEqual(['metrics.csv']); // the widening rewrite left no temp file
  });

  it('reopens with the existing header and keeps appending', () => {
    const path = join(dir, 'm.csv');
    const a = GrowingCsvFile.open(path, ['step']);
    a.append({ step: 1, 'a,b': 1 });
    a.close();
    const b = GrowingCsvFile.open(path, ['step', 'ignored-on-reopen']);
    expect(b.header).toEqual(['step', 'a,b']);
    b.append({ step: 2, 'a,b': 2, c: 3 });
    b.close();
    expect(lines(path)).toEqual(['step,"a,b",c', '1,1,', '2,2,3']);
  });

  it('cuts off a torn last row on reopen instead of gluing onto it', () => {
    const path = join(dir, 'm.csv');
    const a = GrowingCsvFile.open(path, ['step', 'loss']);
    a.append({ step: 1, loss: 1 });
    a.close();
    appendFileSync(path, '2,0.'); // what a crash mid-write leaves
    const b = GrowingCsvFile.open(path, ['step', 'loss']);
    b.append({ step: 2, loss: 0.5 });
    b.close();
    expect(lines(path)).toEqual(['step,loss', '1,1', '2,0.5']);
  });

  it('throws after close', () => {
    const csv = GrowingCsvFile.open(join(dir, 'x.csv'), ['step']);
    csv.close();
    expect(() => csv.append({ step: 1 })).toThrow(/closed/);
  });
});

describe('CSV fields', () => {
  it('quotes per RFC 4180 and parses back', () => {
    const fields = ['plain', 'has,comma', 'has "quote"', '', '1.5'];
    const line = fields.map(formatCsvField).join(',');
    expect(line).toBe('plain,"has,comma","has ""quote""",,1.5');
    expect(parseCsvLine(line)).toEqual(fields);
  });

  it('refuses line breaks, which would break one-row-per-line', () => {
    expect(() => formatCsvField('a\nb')).toThrow(/line break/);
  });
});
