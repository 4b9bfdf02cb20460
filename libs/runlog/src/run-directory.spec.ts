import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionStatus } from './event.ts';
import { listEventFiles, readEventFile } from './event-reader.ts';
import { readMetrics } from './metrics-jsonl.ts';
import { createRunDirectory, isRunDirectory, openRunDirectory } from './run-directory.ts';
import { createRunId, readRunInfo } from './run-info.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'runlog-runs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

interface Meta {
  hyperparameters: { lr: number; batchSize: number };
  model: string;
  workers?: number;
}
const meta: Meta = { hyperparameters: { lr: 0.01, batchSize: 64 }, model: 'mnist-cnn' };

// A clock the test moves explicitly, so expected wall times don't depend on how often the
// library happens to read it.
function manualClock(ms: number) {
  const clock = () => clock.now;
  clock.now = ms;
  return clock;
}

describe('createRunDirectory', () => {
  it('lays out the run and writes run.json with meta, times and versions', () => {
    const run = createRunDirectory({
      root,
      id: 'exp-1',
      meta,
      packageVersions: { '@tensorflow/tfjs': '4.22.0' },
      clock: () => Date.UTC(2025, 0, 2, 3, 4, 5),
      hostname: 'box',
    });
    run.close();
    expect(run.path).toBe(join(root, 'exp-1'));
    expect(readdirSync(run.path).sort()).toEqual([
      'checkpoints',
      'events.out.tfevents.1735787045.box',
      'metrics.csv',
      'metrics.jsonl',
      'run.json',
    ]);
    expect(JSON.parse(readFileSync(join(run.path, 'run.json'), 'utf8'))).toEqual({
      id: 'exp-1',
      createdAt: '2025-01-02T03:04:05.000Z',
      updatedAt: '2025-01-02T03:04:05.000Z',
      nodeVersion: process.version,
      packageVersions: { '@tensorflow/tfjs': '4.22.0' },
      meta,
    });
    expect(isRunDirectory(run.path)).toBe(true);
    expect(isRunDirectory(root)).toBe(false);
  });

  it('defaults to a sortable, unique id', () => {
    const ids = [Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1, 0, 0, 0, 1), Date.UTC(2025, 11, 31)].map((t) =>
      createRunId(new Date(t)),
    );
    expect(ids[0]).toMatch(/^20250101T000000\.000Z-[0-9a-f]{6}$/);
    expect([...ids].sort()).toEqual(ids);
    const a = createRunDirectory({ root, meta });
    const b = createRunDirectory({ root, meta });
    a.close();
    b.close();
    expect(a.id).not.toBe(b.id);
  });

  it('refuses to reuse an existing run, bad ids and unserializable meta', () => {
    createRunDirectory({ root, id: 'dup', meta }).close();
    expect(() => createRunDirectory({ root, id: 'dup', meta })).toThrow(/already exists/);
    expect(() => createRunDirectory({ root, id: '../escape', meta })).toThrow(/invalid run id/);
    expect(() => createRunDirectory({ root, id: 'bad-meta', meta: { n: 1n } })).toThrow(/BigInt/);
    expect(readdirSync(root)).toEqual(['dup']);
  });
});

describe('RunDirectory', () => {
  it('logs every call to JSONL, CSV and TensorBoard with tag prefixes', () => {
    const clock = manualClock(1_700_000_000_000);
    const run = createRunDirectory({ root, id: 'r', meta, clock, hostname: 'h' });
    const logAt = (secs: number, ...args: Parameters<typeof run.logMetrics>) => {
      clock.now = secs * 1000;
      run.logMetrics(...args);
    };
    logAt(1_700_000_002, 1, { loss: 2.5, lr: 0.01 }, 'train');
    logAt(1_700_000_003, 2, { loss: 2.0, lr: 0.01 }, 'train');
    logAt(1_700_000_004, 2, { loss: 2.2, accuracy: 0.5 }, 'validation');
    logAt(1_700_000_005, 3, { throughput: 1000 });
    run.close();

    expect(readMetrics(run.path)).toEqual([
      { step: 1, tag: 'train', wallTime: 1_700_000_002, values: { loss: 2.5, lr: 0.01 } },
      { step: 2, tag: 'train', wallTime: 1_700_000_003, values: { loss: 2.0, lr: 0.01 } },
      { step: 2, tag: 'validation', wallTime: 1_700_000_004, values: { loss: 2.2, accuracy: 0.5 } },
      { step: 3, wallTime: 1_700_000_005, values: { throughput: 1000 } },
    ]);
    expect(readFileSync(join(run.path, 'metrics.csv'), 'utf8')).toBe(
      [
        'step,tag,wall_time,loss,lr,accuracy,throughput',
        '1,train,1700000002,2.5,0.01,,',
        '2,train,1700000003,2,0.01,,',
        '2,validation,1700000004,2.2,,0.5,',
        '3,,1700000005,,,,1000',
        '',
      ].join('\n'),
    );
    const events = readEventFile(run.eventFilePath);
    expect(events.map((e) => [e.step, e.scalars.map((s) => s.tag)])).toEqual([
      [0, []],
      [1, ['train/loss', 'train/lr']],
      [2, ['train/loss', 'train/lr']],
      [2, ['validation/loss', 'validation/accuracy']],
      [3, ['throughput']],
    ]);
    expect(events[3]!.wallTime).toBe(1_700_000_004);
  });

  it('validates before writing anything, so the three sinks never disagree', () => {
    const run = createRunDirectory({ root, id: 'v', meta });
    expect(() => run.logMetrics(1, { step: 1 })).toThrow(/reserved/);
    expect(() => run.logMetrics(-1, { loss: 1 })).toThrow(RangeError);
    expect(() => run.logMetrics(1, { ok: 1, 'bad\nname': 2 })).toThrow(/line break/);
    expect(() => run.logMetrics(1, { loss: '1' as unknown as number })).toThrow(/not a number/);
    run.close();
    expect(readMetrics(run.path)).toEqual([]);
    expect(readEventFile(run.eventFilePath)).toHaveLength(1);
    expect(() => run.logMetrics(1, { loss: 1 })).toThrow(/closed/);
    run.close(); // idempotent
  });

  it('updates meta atomically with a shallow merge', () => {
    const clock = manualClock(0);
    const run = createRunDirectory<Meta>({ root, id: 'm', meta, clock });
    clock.now = 1000;
    run.updateMeta({ workers: 4 });
    run.close();
    const info = readRunInfo<Meta>(run.path);
    expect(info.meta).toEqual({ ...meta, workers: 4 });
    expect(info.updatedAt > info.createdAt).toBe(true);
    expect(run.info.meta.workers).toBe(4);
    expect(readdirSync(run.path).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('puts checkpoints under checkpoints/ and finds the latest', () => {
    const run = createRunDirectory({ root, id: 'c', meta });
    expect(run.checkpointPath(120)).toBe(join(run.path, 'checkpoints', 'step-0000000120'));
    expect(run.latestCheckpoint()).toBeUndefined();
    for (const step of [100, 20, 3000]) mkdirSync(run.checkpointPath(step));
    writeFileSync(join(run.path, 'checkpoints', '.step-0000009999.1.deadbeef.tmp'), '');
    expect(run.latestCheckpoint()).toEqual({ step: 3000, path: run.checkpointPath(3000) });
    run.close();
  });
});

describe('openRunDirectory (resume)', () => {
  it('appends to the metric logs, keeps meta and starts a new event file with a START marker', () => {
    const clock = manualClock(1_700_000_001_000);
    const first = createRunDirectory({ root, id: 'resume', meta, clock, hostname: 'h' });
    clock.now = 1_700_000_002_000;
    first.logMetrics(1, { loss: 3 }, 'train');
    clock.now = 1_700_000_003_000;
    first.logMetrics(2, { loss: 2 }, 'train');
    first.close();

    clock.now = 1_700_000_101_000;
    const second = openRunDirectory<Meta>(first.path, {
      resumeStep: 2,
      clock,
      hostname: 'h',
      packageVersions: { shardgrad: '0.1.0' },
    });
    clock.now = 1_700_000_102_000;
    second.logMetrics(2, { loss: 1.9, accuracy: 0.7 }, 'train');
    second.close();

    expect(readMetrics(first.path).map((r) => [r.step, r.values['loss']])).toEqual([
      [1, 3],
      [2, 2],
      [2, 1.9],
    ]);
    expect(readFileSync(join(first.path, 'metrics.csv'), 'utf8').trimEnd().split('\n')).toEqual([
      'step,tag,wall_time,loss,accuracy',
      '1,train,1700000002,3,',
      '2,train,1700000003,2,',
      '2,train,1700000102,1.9,0.7',
    ]);
    const files = listEventFiles(first.path);
    expect(files.map((f) => basename(f))).toEqual([
      'events.out.tfevents.1700000001.h',
      'events.out.tfevents.1700000101.h',
    ]);
    expect(readEventFile(files[0]!)).toHaveLength(3); // untouched
    const resumed = readEventFile(second.eventFilePath);
    expect(resumed[1]).toMatchObject({ step: 2, sessionLog: { status: SessionStatus.Start } });
    expect(resumed[2]!.scalars.map((s) => s.tag)).toEqual(['train/loss', 'train/accuracy']);

    const info = readRunInfo<Meta>(first.path);
    expect(info.meta).toEqual(meta);
    expect(info.resumes).toEqual([
      { at: new Date(1_700_000_101_000).toISOString(), step: 2, nodeVersion: process.version, packageVersions: { shardgrad: '0.1.0' } },
    ]);
  });

  it('says clearly when the path is not a run', () => {
    expect(() => openRunDirectory(root)).toThrow(/not a run directory/);
  });
});
