import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRunDirectory, createRunDirectory } from './run-directory.ts';
import { readMetrics } from './metrics-jsonl.ts';
import { dropMetricsAfter } from './metrics-rewind.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'rewind-'));
  dirs.push(d);
  return d;
};

describe('metrics of a resumed run', () => {
  it('keep the rows up to the resume step, drop the later ones and a torn last line', () => {
    const csv = join(tmp(), 'metrics.csv');
    writeFileSync(csv, 'step,tag,wall_time,loss\n1,train,1,0.9\n2,train,2,0.8\n2,test,2,0.85\n3,train,3,0.7\n4,tr');
    expect(dropMetricsAfter(csv, 2, 'csv')).toBe(2);
    expect(readFileSync(csv, 'utf8')).toBe('step,tag,wall_time,loss\n1,train,1,0.9\n2,train,2,0.8\n2,test,2,0.85\n');
    const jsonl = join(tmp(), 'metrics.jsonl');
    writeFileSync(jsonl, '{"step":1,"wallTime":1,"values":{"loss":1}}\n{"step":5,"wallTime":2,"values":{"loss":1}}\n');
    expect(dropMetricsAfter(jsonl, 4, 'jsonl')).toBe(1);
    expect(readFileSync(jsonl, 'utf8')).toBe('{"step":1,"wallTime":1,"values":{"loss":1}}\n');
    expect(dropMetricsAfter(jsonl, 4, 'jsonl')).toBe(0);
  });

  it('are rewound when a run directory reopens at a step, and then grow again from there', () => {
    const root = tmp();
    const run = createRunDirectory({ root, id: 'r1', meta: {} });
    for (let step = 1; step <= 6; step++) run.logMetrics(step, { loss: 1 / step }, 'train');
    run.close();
    const again = openRunDirectory(join(root, 'r1'), { resumeStep: 4 });
    for (let step = 5; step <= 7; step++) again.logMetrics(step, { loss: 2 / step }, 'train');
    again.close();
    expect(readMetrics(join(root, 'r1')).map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const csvSteps = readFileSync(join(root, 'r1', 'metrics.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    expect(csvSteps).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
