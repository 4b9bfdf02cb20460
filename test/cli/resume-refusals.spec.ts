import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoordinatorOptions, TRAINING_STATE_FILE, runSession } from '@shardgrad/coordinator';
import { checkpointName } from '@shardgrad/runlog';
import { asFormat1, editHeader } from '../../apps/coordinator/src/checkpoint-fixtures.testing.ts';
import { startTestCluster } from '../support/cluster.ts';
import { runCli } from '../support/run-cli.ts';
import { snapshot } from '../support/run-snapshot.ts';

/**
 * A refused --resume loses nothing: the run directory it names is byte for byte what it was. Runs
 * are trained for real in this process (a few steps, a checkpoint each); `train --resume` runs as
 * a user runs it, and must exit 2 naming what is wrong before it opens the run.
 */

const root = mkdtempSync(join(tmpdir(), 'shardgrad-resume-refusals-'));

async function train(opts: CoordinatorOptions, steps: number): Promise<string> {
  const cluster = await startTestCluster({ split: 'equal', ...opts }, [{ nickname: 'w1' }]);
  try {
    const [summary] = await runSession(cluster.coordinator, { plan: () => ({ epochs: 1, maxSteps: steps, minWorkers: 1 }), record: { root: join(root, 'runs'), checkpointEvery: 1 } });
    return join(root, 'runs', summary!.runId);
  } finally {
    await cluster.close();
  }
}

let copies = 0;
const copyOf = (run: string) => {
  const dir = join(root, `copy-${copies++}`);
  cpSync(run, dir, { recursive: true });
  return dir;
};
const stateFile = (run: string, step: number) => join(run, 'checkpoints', checkpointName(step), TRAINING_STATE_FILE);
const rewrite = (file: string, change: (bytes: Uint8Array) => Uint8Array) => writeFileSync(file, change(new Uint8Array(readFileSync(file))));
const resume = (path: string, steps: number) => runCli(['train', '--resume', path, '--steps', String(steps), '--local-workers', 'threads']);

describe('a refused --resume leaves the run as it was', () => {
  let digits: string;
  let circle: string;

  beforeAll(async () => {
    digits = await train({ model: 'mnist-mlp', seed: 1 }, 2);
    circle = await train({ model: 'playground', seed: 1 }, 1);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('an edited checkpoint header: exit 2 naming the file, metrics untouched', async () => {
    const run = copyOf(digits);
    rewrite(stateFile(run, 2), (b) => editHeader(b, (h) => ((h.position as { step: number }).step = -5)));
    const before = snapshot(run);
    const r = await resume(join(run, 'checkpoints', checkpointName(2)), 3);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${stateFile(run, 2)}: not a shardgrad training checkpoint: checksum mismatch`);
    expect(snapshot(run)).toEqual(before);
  });

  it('a format-1 checkpoint (header outside its checksum) with a bad header: exit 2, metrics untouched', async () => {
    const run = copyOf(digits);
    rewrite(stateFile(run, 2), (b) => editHeader(asFormat1(b), (h) => ((h.position as { step: number }).step = -5)));
    const before = snapshot(run);
    expect(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThan(1);
    const r = await resume(join(run, 'checkpoints', checkpointName(2)), 3);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${stateFile(run, 2)}: not a shardgrad training checkpoint: position.step must be a whole number ≥ 0, got -5`);
    expect(snapshot(run)).toEqual(before);
  });

  it('another run’s checkpoint copied into the run: exit 2, its model and metrics untouched', async () => {
    const run = copyOf(digits);
    cpSync(join(circle, 'checkpoints', checkpointName(1)), join(run, 'checkpoints', checkpointName(40)), { recursive: true });
    const before = snapshot(run);
    const r = await resume(run, 45);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${stateFile(run, 40)} is not this run's checkpoint \\(run id .*model playground, the run's is mnist-mlp.*step 1, its folder's is 40\\)`));
    expect(snapshot(run)).toEqual(before);
  });

  it('a state file outside any run: exit 2 naming the file given', async () => {
    const lone = join(mkdtempSync(join(root, 'lone-')), TRAINING_STATE_FILE);
    copyFileSync(stateFile(digits, 2), lone);
    const r = await resume(lone, 3);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^shardgrad: --resume ${lone}: not a checkpoint inside a run directory`));
  });
});
