// Optional: when Python TensorBoard is importable, let its own loader read what we wrote. It is
// the only fully independent check of the format, but it is not a dependency of the project, so
// the test skips (visibly) when it is absent. Set PYTHON to pick an interpreter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunDirectory, openRunDirectory } from './run-directory.ts';

const python = process.env['PYTHON'] ?? 'python3';
const hasTensorBoard = spawnSync(python, ['-c', 'import tensorboard'], { stdio: 'ignore' }).status === 0;

// EventAccumulator is what the TensorBoard server uses; it also applies the SessionLog START purge.
const READ_SCALARS = `
import json, sys
from tensorboard.backend.event_processing import event_accumulator as ea
acc = ea.EventAccumulator(sys.argv[1], size_guidance={ea.SCALARS: 0})
acc.Reload()
print(json.dumps({t: [[e.step, e.value] for e in acc.Scalars(t)] for t in acc.Tags()["scalars"]}))
`;

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasTensorBoard)('TensorBoard reads our event files', () => {
  it('sees every scalar, and purges steps redone after a resume', () => {
    root = mkdtempSync(join(tmpdir(), 'runlog-tb-'));
    const run = createRunDirectory({ root, id: 'tb', meta: {} });
    for (let step = 1; step <= 5; step++) run.logMetrics(step, { loss: 1 / step }, 'train');
    run.logMetrics(5, { accuracy: 0.5 }, 'validation');
    run.close();
    const resumed = openRunDirectory(run.path, { resumeStep: 4 });
    resumed.logMetrics(4, { loss: 0.2 }, 'train');
    resumed.close();

    const result = spawnSync(python, ['-c', READ_SCALARS, run.path], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const scalars = JSON.parse(result.stdout) as Record<string, [number, number][]>;
    expect(scalars['train/loss']).toEqual([
      [1, 1],
      [2, 0.5],
      [3, Math.fround(1 / 3)],
      [4, Math.fround(0.2)],
    ]);
    expect(scalars['validation/accuracy'] ?? []).toEqual([]); // step 5 >= 4 was purged
  });
});
